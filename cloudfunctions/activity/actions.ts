/**
 * The activity function's actions: database work only. Rules (windows, leave, geofence, absence,
 * counts, tokens) come from core/activity, so they are unit-tested without a server.
 */
import crypto from 'crypto';
import { AppError } from '../../core/fn/errors';
import { actionsFor, type ActionTable, type CallerMember } from '../../core/fn/router';
import type { TimerDef } from '../../core/fn/serve';
import type { ActivityCtx } from './context';
import { isOrganiserOver, isSecretaryOf, loadBranchInScope } from '../../core/org/scope';
import { activityInputs, type ActivityOutputs, type JointInviteView, type NoticeItem, type RosterRow } from '../../core/activity/contracts';
import {
  answerJointInvite,
  assertCanCloseSignIn,
  assertInsideGeofence,
  assertLeaveOpen,
  assertSignInOpen,
  attendanceId,
  countAttendance,
  countsDelta,
  rates as attendanceRates,
  finaliseDue,
  jointInvitesOf,
  mayChangeAttendance,
  newJointInvites,
  owesMakeUp,
  reminderAt,
  rosterWith,
  signInDecision,
  type JointInvite,
  type RosterEntry,
} from '../../core/activity/rules';
import { activityBody, activityScope, newActivityDoc, newActivityRead, newAttendance } from '../../core/activity/stored';
import { assertEditedWindowOpen, checkScopeNodes, planSave, type ScopeNode } from '../../core/activity/save';
import { isUnread, noticeBadge, visibleToMember } from '../../core/activity/notice';
import { ledgerPeriod, ledgerSize, periodTotals } from '../../core/activity/period';
import { codeMatches, codeTryRefusal, issueTokens, qrSecret, SLOT_MS, verifyToken } from '../../core/activity/token';
import { sendSubscribe, type SendOutcome, type SubscribeMsg } from '../../core/subscribe/send';
import { subscribeMessage, subscribeTime } from '../../core/subscribe/templates';
import { buildLedgerXlsx, ledgerFileName, memberRates } from '../../core/activity/ledger';
import { finaliseActivity } from './finalise';
import { minutesActions } from './minutes';
import { cadenceActions, ledgerExtras } from './cadence';
import { awardForAttendance, creditMakeUp } from './awards';
import {
  C,
  forgetActivity,
  getActivityCached,
  getDoc,
  isDuplicateKey,
  readAll,
  rememberActivity,
  stripId,
  toActivityView,
  toAttendanceView,
  type Db,
  type StoredActivity,
  type StoredAttendance,
} from './store';

export type { ActivityCtx };

const { action } = actionsFor<ActivityCtx>();

const NOT_FOUND = '活动不存在或已被删除';

/** The host branch's secretary runs the activity. */
const isHost = (caller: CallerMember | null, a: StoredActivity) => isSecretaryOf(caller, a.hostBranchId);
/** Organisers above the host branch may look (roster, ledger) but not change attendance. */
const canView = (caller: CallerMember | null, a: StoredActivity) => isHost(caller, a) || isOrganiserOver(caller, a.hostPath);
/**
 * Only a member's own branch secretary (of a branch taking part) changes that member's attendance:
 * in a 联建 activity the host sees the joint branches' records but does not write them.
 */
const canHandleMember = (caller: CallerMember | null, a: StoredActivity, memberBranchId: string | null | undefined) =>
  mayChangeAttendance(caller, a, memberBranchId);
const OWN_MEMBERS_ONLY = '联建支部党员的出勤由其所在支部的书记处理';

/** The sign-in has closed for this record: the close sealed it (see finalise.ts). */
const SIGNIN_CLOSED = '签到已结束，如未能参加请联系支部书记补学';

async function loadActivity(db: Db, id: string): Promise<StoredActivity> {
  const a = await getDoc<StoredActivity>(db, C.items, id);
  if (!a) throw new AppError('NOT_FOUND', NOT_FOUND);
  return a;
}

function rosterEntry(a: StoredActivity, memberId: string): RosterEntry {
  const m = a.roster.find((r) => r.id === memberId);
  if (!m) throw new AppError('NOT_FOUND', '该党员不在本次活动的参加人员名单中');
  return m;
}

const NOT_ON_ROSTER = '您不在本次活动的参加人员名单中，如有疑问请联系支部书记';


/** Inserts a record with its deterministic id; on a duplicate, hands back the stored one. */
async function insertOrGet(db: Db, rec: StoredAttendance): Promise<{ stored: StoredAttendance | null }> {
  try {
    await db.collection(C.attendance).add({ data: rec });
    return { stored: null };
  } catch (e) {
    if (!isDuplicateKey(e)) throw e;
    const existing = await getDoc<StoredAttendance>(db, C.attendance, rec._id);
    if (!existing) throw e;
    return { stored: existing };
  }
}

/** Sign-in (self or manual): insert, or return the stored presence, or turn a leave record into presence. */
async function recordPresence(
  db: Db,
  a: StoredActivity,
  m: RosterEntry,
  now: Date,
  patch: Partial<StoredAttendance>,
): Promise<{ record: StoredAttendance; duplicate: boolean }> {
  const rec = newAttendance(a, m, now, { status: 'present', at: now, ...patch });
  const { stored } = await insertOrGet(db, rec);
  if (!stored) return { record: rec, duplicate: false };
  const decision = signInDecision(stored);
  if (decision === 'closed') throw new AppError('FAILED_PRECONDITION', SIGNIN_CLOSED);
  if (decision === 'already') {
    if (stored.status === 'absent') throw new AppError('FAILED_PRECONDITION', '签到已结束，如需更正出勤请联系支部书记');
    return { record: stored, duplicate: true };
  }
  // Came after all (leave requested, approved or not): presence wins. Conditional on the status
  // read, so two racing retries still make one change, and on the record not being sealed, so a
  // close that has begun (on any instance) wins over a stale copy of the activity.
  const _ = db.command;
  const upd = { status: 'present' as const, method: rec.method, at: now, byId: rec.byId, note: rec.note, updatedAt: now };
  const res = await db.collection(C.attendance).where({ _id: stored._id, status: stored.status, sealed: _.neq(true) }).update({ data: upd });
  if (!res?.stats?.updated) {
    const again = await getDoc<StoredAttendance>(db, C.attendance, stored._id);
    if (again && signInDecision(again) === 'closed') throw new AppError('FAILED_PRECONDITION', SIGNIN_CLOSED);
    return { record: again ?? { ...stored, ...upd }, duplicate: true };
  }
  return { record: { ...stored, ...upd }, duplicate: false };
}

/**
 * A correction before the close, written only over the record it read and never over one the close
 * has sealed (the close computes its counts from those). Returns the stored record when the same
 * correction had already landed, null when this call wrote it.
 */
async function correctBeforeClose(db: Db, rec: StoredAttendance | null, next: StoredAttendance): Promise<StoredAttendance | null> {
  const _ = db.command;
  let current: StoredAttendance | null;
  if (!rec) {
    const { stored } = await insertOrGet(db, next);
    if (!stored) return null;
    current = stored;
  } else {
    const data = { status: next.status, method: next.method, at: next.at, byId: next.byId, note: next.note, history: _.set(next.history), updatedAt: next.updatedAt };
    const res = await db.collection(C.attendance).where({ _id: rec._id, status: rec.status, sealed: _.neq(true) }).update({ data });
    if (res?.stats?.updated) return null;
    current = await getDoc<StoredAttendance>(db, C.attendance, rec._id);
  }
  if (current?.status === next.status) return current;
  if (current?.sealed) throw new AppError('FAILED_PRECONDITION', '正在结束签到，请稍后再更正出勤（签到结束后更正需填写原因）');
  throw new AppError('FAILED_PRECONDITION', '这位党员的出勤刚刚有变化，请刷新名单后再更正');
}

async function sendCancelNotices(ctx: ActivityCtx, a: StoredActivity, note: string): Promise<void> {
  const { db, now } = ctx;
  const subs = await db.collection(C.subs).where({ activityId: a._id, sent: false }).limit(1000).get();
  const list = subs.data as { _id: string; openid: string }[];
  if (!list.length) return;
  for (const s of list) {
    await ctx.cloud.openapi.subscribeMessage
      .send({
        touser: s.openid,
        page: `pages/activity/detail/index?id=${a._id}`,
        ...subscribeMessage('activityNotice', { thing1: a.title.slice(0, 20), thing2: note.slice(0, 20) }),
      })
      .catch((e: unknown) => console.error('[activity] subscribe message failed', e));
  }
  const _ = db.command;
  await db.collection(C.subs).where({ _id: _.in(list.map((s) => s._id)) }).update({ data: { sent: true, sentAt: now, kind: 'change' } });
}

async function branchNode(db: Db, id: string) {
  return getDoc<{ _id: string; name: string; type: string; parentId: string | null; path: string[] }>(db, C.nodes, id);
}

/**
 * Applies a record change to the counts stored at the close (`countsDelta`). Reads the activity
 * inside the transaction: before the close there are no stored counts, and the close computes them
 * from the records.
 */
async function moveCounts(db: Db, tx: Db, activityId: string, delta: Partial<Record<string, number>>): Promise<void> {
  const entries = Object.entries(delta).filter(([, v]) => v);
  if (!entries.length) return;
  const cur = await getDoc<StoredActivity>(tx, C.items, activityId);
  if (!cur?.counts) return;
  const _ = db.command; // a transaction handle has no `command`
  await tx.collection(C.items).doc(activityId).update({ data: Object.fromEntries(entries.map(([k, v]) => [`counts.${k}`, _.inc(v)])) });
}

export const activityActions: ActionTable<ActivityCtx> = {
  list: action({
    allow: ['member'],
    input: activityInputs.list,
    ops: { count: '2–4', what: 'caller, activities, own records, own read receipts' },
    handler: async (input, ctx): Promise<ActivityOutputs['list']> => {
      const { db, now } = ctx;
      const _ = db.command;
      const me = ctx.caller.member;
      const manage = input.manage && me.role === 'secretary';
      const query = manage ? { hostBranchId: me.branchId } : { branchIds: me.branchId, status: _.in(['published', 'cancelled']) };
      const res = await db.collection(C.items).where(query).orderBy('startAt', 'desc').limit(input.limit).get();
      let acts = res.data as StoredActivity[];
      if (!manage) acts = acts.filter((a) => visibleToMember(a, me._id));
      if (!acts.length) return { items: [], badge: 0 };
      const ids = acts.map((a) => attendanceId(a._id, me._id));
      const [att, reads] = await Promise.all([
        db.collection(C.attendance).where({ _id: _.in(ids) }).limit(ids.length).get(),
        db.collection(C.reads).where({ _id: _.in(ids) }).limit(ids.length).get(),
      ]);
      const attBy = new Map((att.data as StoredAttendance[]).map((r) => [r.activityId, r]));
      const readBy = new Map((reads.data as { activityId: string; rev: number }[]).map((r) => [r.activityId, r.rev]));
      const items: NoticeItem[] = acts.map((a) => {
        const required = a.roster?.some((m) => m.id === me._id) ?? false;
        const view = toActivityView(a, now);
        return {
          ...view,
          required,
          mine: attBy.has(a._id) ? toAttendanceView(attBy.get(a._id)!, { id: me._id, name: me.name }) : null,
          unread: isUnread(a, readBy.get(a._id)),
        };
      });
      return { items, badge: noticeBadge(items) };
    },
  }),

  get: action({
    allow: ['member'],
    input: activityInputs.get,
    ops: { count: '4', what: 'caller, activity, own record, read-receipt upsert' },
    handler: async (input, ctx): Promise<ActivityOutputs['get']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const a = await loadActivity(db, input.id);
      const manage = canView(me, a);
      const inBranch = a.branchIds.includes(me.branchId);
      if (!manage && (!inBranch || a.status === 'draft')) throw new AppError('NOT_FOUND', NOT_FOUND);
      const required = a.roster?.some((m) => m.id === me._id) ?? false;
      const recId = attendanceId(a._id, me._id);
      const [rec] = await Promise.all([
        getDoc<StoredAttendance>(db, C.attendance, recId),
        // the read receipt: upsert with the revision read, so a changed notice shows as unread again
        a.status === 'published'
          ? db.collection(C.reads).doc(recId).set({ data: stripId(newActivityRead(a, { id: me._id, name: me.name }, now)) })
          : Promise.resolve(),
      ]);
      return {
        ...toActivityView(a, now),
        required,
        mine: rec ? toAttendanceView(rec, { id: me._id, name: me.name }) : null,
        unread: false,
        canManage: isHost(me, a),
        canHandleOwn: !!me.branchId && me.branchId !== a.hostBranchId && a.status !== 'draft' && mayChangeAttendance(me, a, me.branchId),
      };
    },
  }),

  save: action({
    allow: ['secretary'],
    input: activityInputs.save,
    ops: { count: '3–5', what: 'caller, [activity], branch, [joint branches/group], insert or update' },
    handler: async (input, ctx): Promise<ActivityOutputs['save']> => {
      const { db, now } = ctx;
      const _ = db.command;
      const sec = ctx.caller.member;
      const f = input.fields;
      const existing = input.id ? await loadActivity(db, input.id) : null;
      if (existing && !isHost(sec, existing)) throw new AppError('PERMISSION_DENIED', '只能修改本支部发起的活动');
      const { published, joint, needed } = planSave({ hostBranchId: sec.branchId, existing, changeNote: input.changeNote, groupId: f.groupId, jointBranchIds: f.jointBranchIds });
      const hostBranch = await branchNode(db, sec.branchId);
      if (!hostBranch) throw new AppError('FAILED_PRECONDITION', '找不到您所在的党支部，请联系上级管理员');
      let jointBranches: { id: string; name: string }[] = [];
      if (needed.length) {
        const nodes = await db.collection(C.nodes).where({ _id: _.in(needed) }).limit(needed.length).get();
        jointBranches = checkScopeNodes({ hostBranchId: sec.branchId, hostPath: sec.path, joint, groupId: f.groupId }, nodes.data as ScopeNode[]);
      }
      const body = activityBody(f, now);
      // a published activity keeps its scope and its answers
      const scope = activityScope(sec.branchId, f.groupId, jointBranches);
      if (existing) {
        assertEditedWindowOpen(published, body.signInCloseAt, now);
        // whole-value sets: the SDK would otherwise write `geofence.lat` into a null field
        const patch: Record<string, unknown> = { ...body, place: _.set(body.place), geofence: _.set(body.geofence) };
        if (!published) Object.assign(patch, { ...scope, branchIds: _.set(scope.branchIds), jointBranchIds: _.set(scope.jointBranchIds), joint: _.set(scope.joint) });
        if (published) {
          patch.rev = _.inc(1);
          patch.changes = _.push([{ at: now, note: input.changeNote!, by: sec._id }]);
        }
        await db.collection(C.items).doc(existing._id).update({ data: patch });
        const next: StoredActivity = {
          ...existing,
          ...body,
          ...(published ? {} : scope),
          rev: existing.rev + (published ? 1 : 0),
          changes: published ? [...existing.changes, { at: now, note: input.changeNote!, by: sec._id }] : existing.changes,
        };
        rememberActivity(next);
        if (published) {
          // a moved start moves the reminder too
          await db.collection(C.subs).where({ activityId: existing._id, sent: false }).update({ data: { remindAt: reminderAt(f.startAt), startAt: f.startAt } });
        }
        return toActivityView(next, now);
      }
      const docId = input.requestId
        ? 'a' + crypto.createHash('sha256').update(`${sec._id}:${input.requestId}`).digest('hex').slice(0, 15)
        : 'a' + crypto.randomBytes(8).toString('hex').slice(0, 15);
      const doc = newActivityDoc({
        id: docId,
        fields: f,
        host: { branchId: sec.branchId, branchName: hostBranch.name, path: hostBranch.path ?? [], secretaryId: sec._id, secretaryName: sec.name },
        groupId: f.groupId,
        joint: jointBranches,
        now,
      });
      try {
        await db.collection(C.items).add({ data: doc });
      } catch (e) {
        // the same form sent twice (requestId): answer with the draft already made
        if (!isDuplicateKey(e)) throw e;
        const stored = await loadActivity(db, docId);
        return toActivityView(stored, now);
      }
      return toActivityView(doc, now);
    },
  }),

  publish: action({
    allow: ['secretary'],
    input: activityInputs.publish,
    ops: { count: '4', what: 'caller, activity, members of the branches (roster), conditional update' },
    handler: async (input, ctx): Promise<ActivityOutputs['publish']> => {
      const { db, now } = ctx;
      const _ = db.command;
      const a = await loadActivity(db, input.id);
      if (!isHost(ctx.caller.member, a)) throw new AppError('PERMISSION_DENIED', '只能发布本支部发起的活动');
      if (a.status === 'published') return toActivityView(a, now);
      if (a.status === 'cancelled') throw new AppError('FAILED_PRECONDITION', '活动已取消，不能发布');
      if (new Date(a.signInCloseAt).getTime() <= now.getTime()) throw new AppError('FAILED_PRECONDITION', '活动签到时间已过，不能发布，请修改活动时间');
      // 应到: fixed now from the host branch (or its one 党小组). 联建 branches are invited now and
      // join the roster only when their own side accepts (respondJoint).
      const query: Record<string, unknown> = { branchId: a.hostBranchId, status: 'active' };
      if (a.groupId) query.groupId = a.groupId;
      const members = await db.collection(C.members).where(query).field({ _id: true, name: true, branchId: true }).orderBy('_id', 'asc').limit(1000).get();
      const roster: RosterEntry[] = (members.data as { _id: string; name: string; branchId: string }[]).map((m) => ({ id: m._id, name: m.name, branchId: m.branchId }));
      if (!roster.length) throw new AppError('FAILED_PRECONDITION', '参加范围内还没有党员，不能发布');
      const joint = newJointInvites((a.jointBranchIds ?? []).map((b) => ({ id: b, name: a.joint?.find((j) => j.branchId === b)?.name ?? '' })));
      const patch = { status: 'published' as const, roster, rev: 1, publishedAt: now, updatedAt: now, branchIds: [a.hostBranchId], joint, inviteRev: 0 };
      const res = await db
        .collection(C.items)
        .where({ _id: a._id, status: 'draft' })
        .update({ data: { ...patch, roster: _.set(roster), branchIds: _.set(patch.branchIds), joint: _.set(joint) } });
      if (!res?.stats?.updated) return toActivityView(await loadActivity(db, a._id), now);
      const next = { ...a, ...patch };
      rememberActivity(next);
      return toActivityView(next, now);
    },
  }),

  cancel: action({
    allow: ['secretary'],
    input: activityInputs.cancel,
    ops: { count: '3–5', what: 'caller, activity, update, [subscribers, messages marked sent]' },
    handler: async (input, ctx): Promise<ActivityOutputs['cancel']> => {
      const { db, now } = ctx;
      const _ = db.command;
      const a = await loadActivity(db, input.id);
      if (!isHost(ctx.caller.member, a)) throw new AppError('PERMISSION_DENIED', '只能取消本支部发起的活动');
      if (a.status === 'cancelled') return toActivityView(a, now);
      if (a.finalisedAt) throw new AppError('FAILED_PRECONDITION', '活动签到已结束，不能取消');
      const wasPublished = a.status === 'published';
      const patch = {
        status: 'cancelled' as const,
        cancelReason: input.reason,
        rev: wasPublished ? a.rev + 1 : a.rev,
        changes: wasPublished ? [...a.changes, { at: now, note: `活动取消：${input.reason}`, by: ctx.caller.member._id }] : a.changes,
        updatedAt: now,
      };
      await db.collection(C.items).doc(a._id).update({ data: { ...patch, changes: _.set(patch.changes) } });
      const next = { ...a, ...patch };
      forgetActivity(a._id);
      if (wasPublished) await sendCancelNotices(ctx, next, `活动取消：${input.reason}`);
      return toActivityView(next, now);
    },
  }),

  qrToken: action({
    allow: ['secretary'],
    input: activityInputs.qrToken,
    ops: { count: '2–3', what: 'caller, [activity unless cached], attendance records (the live count); the tokens of 5 slots (75 s) in one call, so the screen calls once a minute' },
    handler: async (input, ctx): Promise<ActivityOutputs['qrToken']> => {
      const { db, now } = ctx;
      const { doc: a } = await getActivityCached(db, input.id);
      if (!a) throw new AppError('NOT_FOUND', NOT_FOUND);
      if (!isHost(ctx.caller.member, a)) throw new AppError('PERMISSION_DENIED', '只有发起支部的书记可以出示签到码');
      assertSignInOpen(a, now);
      const nowMs = now.getTime();
      const issued = issueTokens(qrSecret(ctx.env), a._id, nowMs);
      // the screen's live count, counted as the roster counts it: the screen needs no roster call to refresh
      const records = await readAll<StoredAttendance>(db, C.attendance, { activityId: a._id }, { memberId: true, status: true, madeUpAt: true });
      const byMember = new Map(records.map((r) => [r.memberId, r]));
      const counts = countAttendance(a.roster, a.roster.map((m) => byMember.get(m.id)).filter((r): r is StoredAttendance => !!r));
      // loaded here, not at the top: a package of the function's package.json, left out of the bundle
      // (emulator/build-functions.ts), so only an instance that shows a QR code pays for loading it
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load, as exceljs's (eslint.config.mjs)
      const QRCode = require('qrcode') as typeof import('qrcode');
      const slots = await Promise.all(
        issued.map(async (t) => {
          const svg = await QRCode.toString(t.token, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
          return {
            token: t.token,
            code: t.code,
            qr: `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`,
            slot: t.slot,
            showInMs: Math.max(0, t.slot * SLOT_MS - nowMs),
            expiresAt: new Date(t.expiresAt).toISOString(),
          };
        }),
      );
      const [first] = slots;
      const last = slots[slots.length - 1];
      return {
        token: first.token,
        code: first.code,
        qr: first.qr,
        slot: first.slot,
        refreshInMs: (first.slot + 1) * SLOT_MS - nowMs,
        expiresAt: first.expiresAt,
        slots,
        counts,
        // asked for as the last slot begins: its token stays good through the next slot, so a slow answer costs nothing
        callAgainInMs: last.showInMs,
      };
    },
  }),

  signIn: action({
    allow: ['member'],
    input: activityInputs.signIn,
    ops: {
      count: '2–3',
      what: 'caller, [activity unless cached], attendance insert (deterministic _id)',
      cases: { retry: { count: '+1', what: 'the stored record on a duplicate insert (+1 update if it was a leave)' } },
    },
    handler: async (input, ctx): Promise<ActivityOutputs['signIn']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      // the token is checked before any read: a forged or stale code costs no database work
      const activityId = verifyToken(qrSecret(ctx.env), input.token, now.getTime());
      const { doc: a } = await getActivityCached(db, activityId);
      if (!a || a.status === 'draft') throw new AppError('NOT_FOUND', NOT_FOUND);
      assertSignInOpen(a, now);
      const m = a.roster.find((r) => r.id === me._id);
      if (!m) throw new AppError('PERMISSION_DENIED', NOT_ON_ROSTER);
      assertInsideGeofence(a.geofence, input.location);
      const { record, duplicate } = await recordPresence(db, a, m, now, { method: 'qr', byId: me._id });
      return { activityId: a._id, title: a.title, attendance: toAttendanceView(record, m), duplicate };
    },
  }),

  codeSignIn: action({
    allow: ['member'],
    input: activityInputs.codeSignIn,
    ops: {
      count: '4–6',
      what: 'caller, [activity unless cached], own record + own tries, tries claim (conditional update or insert), attendance insert (deterministic _id)',
      cases: { retry: { count: '+1', what: 'the stored record on a duplicate insert (+1 update if it was a leave)' } },
    },
    handler: async (input, ctx): Promise<ActivityOutputs['codeSignIn']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const secret = qrSecret(ctx.env);
      const { doc: a } = await getActivityCached(db, input.id);
      const m = a?.roster.find((r) => r.id === me._id);
      // someone neither on the roster nor in a taking-part branch learns nothing about the id
      if (!a || a.status === 'draft' || (!m && !a.branchIds.includes(me.branchId))) throw new AppError('NOT_FOUND', NOT_FOUND);
      assertSignInOpen(a, now);
      if (!m) throw new AppError('PERMISSION_DENIED', NOT_ON_ROSTER);
      assertInsideGeofence(a.geofence, input.location);
      const recId = attendanceId(a._id, me._id);
      const [rec, tries] = await Promise.all([
        getDoc<StoredAttendance>(db, C.attendance, recId),
        getDoc<{ _id: string; tries: number; lastAt: Date | string }>(db, C.codeTries, recId),
      ]);
      // a retry after success (lost reply, double tap) needs no new try
      if (rec?.status === 'present') return { activityId: a._id, title: a.title, attendance: toAttendanceView(rec, m), duplicate: true };
      const count = tries?.tries ?? 0;
      const refusal = codeTryRefusal(count, tries ? new Date(tries.lastAt).getTime() : null, now.getTime());
      if (refusal) throw new AppError('RESOURCE_EXHAUSTED', refusal.message);
      // The try is counted before the code is weighed, and only by a write conditional on the count
      // read: of parallel requests at most one is weighed per count, so they cannot outrun the limit.
      let claimed: boolean;
      if (!tries) {
        try {
          await db.collection(C.codeTries).add({ data: { _id: recId, activityId: a._id, memberId: me._id, tries: 1, lastAt: now } });
          claimed = true;
        } catch (e) {
          if (!isDuplicateKey(e)) throw e;
          claimed = false;
        }
      } else {
        const res = await db.collection(C.codeTries).where({ _id: recId, tries: count }).update({ data: { tries: count + 1, lastAt: now } });
        claimed = !!res?.stats?.updated;
      }
      if (!claimed) throw new AppError('RESOURCE_EXHAUSTED', '正在核对上一次输入的口令，请稍后再试');
      if (!codeMatches(secret, a._id, input.code, now.getTime())) {
        const left = codeTryRefusal(count + 1, now.getTime(), now.getTime());
        throw new AppError('INVALID_ARGUMENT', left ? `签到口令不对。${left.message}` : '签到口令不对，请核对支部书记手机上签到码下方的 6 位数字（每 15 秒更新）');
      }
      const { record, duplicate } = await recordPresence(db, a, m, now, { method: 'code', byId: me._id });
      return { activityId: a._id, title: a.title, attendance: toAttendanceView(record, m), duplicate };
    },
  }),

  manualSignIn: action({
    allow: ['secretary'],
    input: activityInputs.manualSignIn,
    ops: { count: '3', what: 'caller, activity, insert' },
    handler: async (input, ctx): Promise<ActivityOutputs['manualSignIn']> => {
      const { db, now } = ctx;
      const a = await loadActivity(db, input.id);
      const m = rosterEntry(a, input.memberId);
      if (!canHandleMember(ctx.caller.member, a, m.branchId)) throw new AppError('PERMISSION_DENIED', `只能为本支部的党员代签；${OWN_MEMBERS_ONLY}`);
      assertSignInOpen(a, now);
      const { record } = await recordPresence(db, a, m, now, { method: 'manual', byId: ctx.caller.member._id, note: `书记代签：${input.reason}` });
      return toAttendanceView(record, m);
    },
  }),

  requestLeave: action({
    allow: ['member'],
    input: activityInputs.requestLeave,
    ops: { count: '2–3', what: 'caller, [activity unless cached], attendance insert (+1–2 on a re-request)' },
    handler: async (input, ctx): Promise<ActivityOutputs['requestLeave']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const { doc: a } = await getActivityCached(db, input.id);
      if (!a || a.status === 'draft' || !a.branchIds.includes(me.branchId)) throw new AppError('NOT_FOUND', NOT_FOUND);
      assertLeaveOpen(a, now);
      const m = a.roster.find((r) => r.id === me._id);
      if (!m) throw new AppError('PERMISSION_DENIED', NOT_ON_ROSTER);
      const rec = newAttendance(a, m, now, { status: 'leave_pending', leaveReason: input.reason, leaveRequestedAt: now });
      const { stored } = await insertOrGet(db, rec);
      if (!stored) return toAttendanceView(rec, m);
      if (stored.status === 'present') throw new AppError('FAILED_PRECONDITION', '您已签到，无需请假');
      if (stored.status === 'leave') return toAttendanceView(stored, m);
      // pending again (a new reason) or asking again after a decline
      const patch = { status: 'leave_pending' as const, leaveReason: input.reason, leaveRequestedAt: now, reviewedBy: null, reviewedAt: null, note: null, updatedAt: now };
      await db.collection(C.attendance).where({ _id: stored._id, status: stored.status }).update({ data: patch });
      return toAttendanceView({ ...stored, ...patch }, m);
    },
  }),

  reviewLeave: action({
    allow: ['secretary'],
    input: activityInputs.reviewLeave,
    ops: { count: '4', what: 'caller, activity, record, conditional update' },
    handler: async (input, ctx): Promise<ActivityOutputs['reviewLeave']> => {
      const { db, now } = ctx;
      const [a, rec] = await Promise.all([loadActivity(db, input.id), getDoc<StoredAttendance>(db, C.attendance, attendanceId(input.id, input.memberId))]);
      // checked before anything else is looked at: another branch's secretary learns nothing
      const memberBranch = a.roster.find((r) => r.id === input.memberId)?.branchId ?? rec?.branchId;
      if (!canHandleMember(ctx.caller.member, a, memberBranch)) throw new AppError('PERMISSION_DENIED', `只能审批本支部党员的请假；${OWN_MEMBERS_ONLY}`);
      if (!rec || !['leave_pending', 'leave', 'leave_declined'].includes(rec.status)) throw new AppError('NOT_FOUND', '没有找到这位党员的请假申请');
      const target = input.decision === 'approve' ? 'leave' : 'leave_declined';
      if (rec.status === target) return toAttendanceView(rec, { id: rec.memberId, name: rec.memberName });
      if (rec.status !== 'leave_pending') throw new AppError('FAILED_PRECONDITION', '这份请假已经处理过了');
      if (a.finalisedAt) throw new AppError('FAILED_PRECONDITION', '签到已结束，未批准的请假已记为缺席；如需更正请修改出勤并填写原因');
      const patch = { status: target as 'leave' | 'leave_declined', reviewedBy: ctx.caller.member._id, reviewedAt: now, note: input.note ?? null, updatedAt: now };
      // not over a record the close has sealed: its counts are being computed from it
      const res = await db.collection(C.attendance).where({ _id: rec._id, status: 'leave_pending', sealed: db.command.neq(true) }).update({ data: patch });
      if (!res?.stats?.updated) {
        const again = await getDoc<StoredAttendance>(db, C.attendance, rec._id);
        if (again?.sealed && again.status !== target) throw new AppError('FAILED_PRECONDITION', '签到已结束，未批准的请假已记为缺席；如需更正请修改出勤并填写原因');
        return toAttendanceView(again, { id: rec.memberId, name: rec.memberName });
      }
      return toAttendanceView({ ...rec, ...patch }, { id: rec.memberId, name: rec.memberName });
    },
  }),

  closeSignIn: action({
    allow: ['secretary'],
    input: activityInputs.closeSignIn,
    ops: {
      count: '15–18',
      what:
        'caller, activity, seal records, previous activities, records (theirs too), absent batch insert, leave→absent, ' +
        'awards (members, rules, ledger batch insert, points multi-update per group, credits batch insert, totals multi-update), activity update',
    },
    handler: async (input, ctx): Promise<ActivityOutputs['closeSignIn']> => {
      const { db, now } = ctx;
      const a = await loadActivity(db, input.id);
      if (!isHost(ctx.caller.member, a)) throw new AppError('PERMISSION_DENIED', '只有发起支部的书记可以结束签到');
      if (a.status !== 'published') throw new AppError('FAILED_PRECONDITION', '活动未发布或已取消');
      if (a.finalisedAt) {
        // closed by a call that died before its awards: the repeat finishes them (awards are idempotent)
        if (!a.awardedAt) {
          await awardForAttendance(ctx, a);
          await db.collection(C.items).doc(a._id).update({ data: { awardedAt: now } });
        }
        return { activityId: a._id, markedAbsent: 0, counts: a.counts ?? countAttendance(a.roster, []) };
      }
      assertCanCloseSignIn(a, now);
      const out = await finaliseActivity(db, a, now, undefined, (closing, present) => awardForAttendance(ctx, closing, present));
      return { activityId: a._id, markedAbsent: out.markedAbsent, counts: out.counts };
    },
  }),

  roster: action({
    allow: ['secretary', 'organiser'],
    input: activityInputs.roster,
    ops: { count: '4', what: 'caller, activity, records, read receipts (1000 per read)' },
    handler: async (input, ctx): Promise<ActivityOutputs['roster']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const a = await loadActivity(db, input.id);
      const ownBranchOnly = !canView(me, a);
      if (ownBranchOnly && !(me.branchId && a.branchIds.includes(me.branchId) && isSecretaryOf(me, me.branchId))) {
        throw new AppError('PERMISSION_DENIED', '只能查看本支部参加的活动');
      }
      const [records, reads] = await Promise.all([
        readAll<StoredAttendance>(db, C.attendance, { activityId: a._id }),
        readAll<{ memberId: string; rev: number }>(db, C.reads, { activityId: a._id }),
      ]);
      const recBy = new Map(records.map((r) => [r.memberId, r]));
      const readIds = new Set(reads.map((r) => r.memberId));
      const roster = ownBranchOnly ? a.roster.filter((m) => m.branchId === me.branchId) : a.roster;
      const flagged = new Map((a.flagged ?? []).map((f) => [f.memberId, f.streak]));
      const rows: RosterRow[] = roster.map((m) => ({
        ...toAttendanceView(recBy.get(m.id) ?? null, m),
        branchId: m.branchId,
        canChange: canHandleMember(me, a, m.branchId),
        read: readIds.has(m.id),
        ...(flagged.has(m.id) ? { absenceStreak: flagged.get(m.id) } : {}),
      }));
      const counts = countAttendance(roster, roster.map((m) => recBy.get(m.id)).filter((r): r is StoredAttendance => !!r));
      return {
        activity: toActivityView(a, now),
        counts,
        reads: rows.filter((r) => r.read).length,
        rows,
        flagged: (a.flagged ?? []).filter((f) => roster.some((m) => m.id === f.memberId)),
      };
    },
  }),

  setAttendance: action({
    allow: ['secretary'],
    input: activityInputs.setAttendance,
    ops: {
      count: '4',
      what: 'caller, activity, record, conditional write',
      cases: { 'after close': { count: '9+', what: 'caller, activity, record, tx (start, record, set, activity, counts `inc`, commit), [award when now present]' } },
    },
    handler: async (input, ctx): Promise<ActivityOutputs['setAttendance']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const [a, rec] = await Promise.all([loadActivity(db, input.id), getDoc<StoredAttendance>(db, C.attendance, attendanceId(input.id, input.memberId))]);
      const m = rosterEntry(a, input.memberId);
      if (!canHandleMember(me, a, m.branchId)) throw new AppError('PERMISSION_DENIED', `只能修改本支部党员的出勤；${OWN_MEMBERS_ONLY}`);
      if (a.status !== 'published') throw new AppError('FAILED_PRECONDITION', '活动未发布或已取消');
      const reason = input.reason?.trim() ?? '';
      if (a.finalisedAt && reason.length < 2) {
        throw new AppError('FAILED_PRECONDITION', '活动签到已结束，修改出勤必须填写原因（会记入台账）');
      }
      if (rec?.status === input.status) {
        // the same correction sent again after a call that died before its award: award now (idempotent)
        if (a.finalisedAt && rec.status === 'present') await awardForAttendance(ctx, a, [rec]);
        return toAttendanceView(rec, m);
      }
      const base = rec ?? newAttendance(a, m, now, {});
      const next: StoredAttendance = {
        ...base,
        status: input.status,
        method: input.status === 'present' ? 'manual' : null,
        at: input.status === 'present' ? now : null,
        byId: me._id,
        note: reason ? `书记更正：${reason}` : base.note,
        history: [...(base.history ?? []), { at: now, by: me._id, from: rec?.status ?? 'none', to: input.status, reason }],
        updatedAt: now,
      };
      if (a.finalisedAt) {
        // after the close the stored counts move with the record, in one transaction
        await db.runTransaction(async (tx: Db) => {
          const cur = await getDoc<StoredAttendance>(tx, C.attendance, next._id);
          await tx.collection(C.attendance).doc(next._id).set({ data: stripId(next) });
          await moveCounts(db, tx, a._id, countsDelta(m, cur, next));
        });
      } else {
        const landed = await correctBeforeClose(db, rec, next);
        if (landed) return toAttendanceView(landed, m);
      }
      if (a.finalisedAt && input.status === 'present') await awardForAttendance(ctx, a, [next]);
      return toAttendanceView(next, m);
    },
  }),

  myMakeUps: action({
    allow: ['member'],
    input: activityInputs.myMakeUps,
    ops: { count: '3', what: 'caller, own open records, their activities' },
    handler: async (_in, ctx): Promise<ActivityOutputs['myMakeUps']> => {
      const { db, now } = ctx;
      const _ = db.command;
      const me = ctx.caller.member;
      const res = await db
        .collection(C.attendance)
        .where({ memberId: me._id, status: _.in(['leave', 'absent']), madeUpAt: null })
        .orderBy('startAt', 'desc')
        .limit(50)
        .get();
      const recs = (res.data as StoredAttendance[]).filter(owesMakeUp);
      if (!recs.length) return { items: [] };
      const acts = await db.collection(C.items).where({ _id: _.in(recs.map((r) => r.activityId)) }).limit(recs.length).get();
      const actBy = new Map((acts.data as StoredActivity[]).map((a) => [a._id, a]));
      return {
        items: recs
          .filter((r) => actBy.has(r.activityId) && actBy.get(r.activityId)!.status === 'published')
          .map((r) => ({ activity: toActivityView(actBy.get(r.activityId)!, now), attendance: toAttendanceView(r, { id: me._id, name: me.name }) })),
      };
    },
  }),

  completeMakeUp: action({
    allow: ['member'],
    input: activityInputs.completeMakeUp,
    ops: {
      count: '8+',
      what: 'caller, activity, record, tx (start, record, mark, [activity, counts `inc` after the close], 学时 credit, commit)',
    },
    handler: async (input, ctx): Promise<ActivityOutputs['completeMakeUp']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const id = attendanceId(input.id, me._id);
      const [a, rec] = await Promise.all([loadActivity(db, input.id), getDoc<StoredAttendance>(db, C.attendance, id)]);
      const self = { id: me._id, name: me.name };
      if (!rec || (rec.status !== 'leave' && rec.status !== 'absent')) throw new AppError('FAILED_PRECONDITION', '这次活动您不需要补学');
      if (rec.madeUpAt) return toAttendanceView(rec, self);
      if (!a.finalisedAt && rec.status === 'leave' && now.getTime() < new Date(a.endAt).getTime()) {
        throw new AppError('FAILED_PRECONDITION', '活动结束后才能补学');
      }
      const patch = { madeUpAt: now, makeUpNote: input.note, updatedAt: now };
      // the mark and its 学时 in one transaction: a mark without the credit would make the retry
      // answer "already made up" and the credit would never come
      const done = await db.runTransaction(async (tx: Db) => {
        const cur = await getDoc<StoredAttendance>(tx, C.attendance, id);
        if (!cur || cur.madeUpAt) return cur;
        const next = { ...cur, ...patch };
        await tx.collection(C.attendance).doc(id).update({ data: patch });
        await moveCounts(db, tx, a._id, countsDelta({ id: me._id }, cur, next));
        await creditMakeUp(ctx, a, next, tx);
        return next;
      });
      return toAttendanceView(done ?? rec, self);
    },
  }),

  subscribe: action({
    allow: ['member'],
    input: activityInputs.subscribe,
    ops: { count: '2–3', what: 'caller, [activity], subscription upsert' },
    handler: async (input, ctx): Promise<ActivityOutputs['subscribe']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const { doc: a } = await getActivityCached(db, input.id);
      if (!a || a.status !== 'published' || !a.branchIds.includes(me.branchId)) throw new AppError('NOT_FOUND', NOT_FOUND);
      if (now.getTime() >= new Date(a.startAt).getTime()) throw new AppError('FAILED_PRECONDITION', '活动已经开始，无需提醒');
      const at = reminderAt(new Date(a.startAt));
      const remindAt = at.getTime() < now.getTime() ? now : at;
      await db.collection(C.subs).doc(attendanceId(a._id, me._id)).set({
        data: { activityId: a._id, memberId: me._id, openid: ctx.caller.openid, remindAt, startAt: a.startAt, title: a.title, place: a.place.name, sent: false, createdAt: now },
      });
      return { remindAt: remindAt.toISOString(), subscribed: true };
    },
  }),

  exportLedger: action({
    allow: ['secretary', 'organiser'],
    input: activityInputs.exportLedger,
    ops: { count: '7+n', what: 'caller, branch, activities, attendance, minutes, counters, settings, 党小组 (n = records / 1000); + storage (photo links, thumbnails)' },
    handler: async (input, ctx): Promise<ActivityOutputs['exportLedger']> => {
      const { now } = ctx;
      const { branch, activities, records } = await periodData(ctx.db, ctx.caller.member, input);
      // 会议记录 (with the phone's thumbnails) and 三会一课落实情况 (cadence.ts)
      const extras = await ledgerExtras(ctx, branch, activities.filter((a) => a.hostBranchId === branch._id), input.from, input.to, { thumbs: true });
      const buf = await buildLedgerXlsx({ branchName: branch.name, from: input.from, to: input.to, activities, records, generatedAt: now, ...extras });
      const size = ledgerSize(activities);
      const fileName = ledgerFileName(branch.name, input.from, input.to);
      const cloudPath = `activity-ledger/${branch._id}/${input.from}_${input.to}_${now.getTime()}.xlsx`;
      const up = await ctx.cloud.uploadFile({ cloudPath, fileContent: buf });
      const urls = await ctx.cloud.getTempFileURL({ fileList: [up.fileID] });
      return {
        fileName,
        fileID: up.fileID,
        url: urls.fileList[0]?.tempFileURL ?? '',
        bytes: buf.length,
        activities: size.activities,
        rows: size.rows,
      };
    },
  }),

  jointInvites: action({
    allow: ['secretary', 'organiser'],
    input: activityInputs.jointInvites,
    ops: { count: '4', what: "caller, branch, invitations, the community's branches" },
    handler: async (input, ctx): Promise<ActivityOutputs['jointInvites']> => {
      const { db, now } = ctx;
      // the secretary's own branch, or one an organiser names in their subtree: a secretary naming
      // another branch is refused, so the host can never answer for the invited side
      const branch = await loadBranchInScope(db, ctx.caller.member, input.branchId);
      const [acts, siblings] = await Promise.all([
        // invitations go out at publication
        db.collection(C.items).where({ jointBranchIds: branch._id, status: 'published' }).orderBy('startAt', 'desc').limit(20).get(),
        branch.parentId
          ? db.collection(C.nodes).where({ parentId: branch.parentId, type: 'branch' }).orderBy('sort', 'asc').limit(200).get()
          : Promise.resolve({ data: [] as unknown[] }),
      ]);
      const items = (acts.data as StoredActivity[]).flatMap((a) => {
        const mine = jointInvitesOf(a).find((j) => j.branchId === branch._id);
        return mine ? [{ activity: toActivityView(a, now), invite: jointView(mine) }] : [];
      });
      const partners = (siblings.data as { _id: string; name: string }[]).filter((n) => n._id !== branch._id).map((n) => ({ id: n._id, name: n.name }));
      return { branchId: branch._id, items, partners };
    },
  }),

  respondJoint: action({
    allow: ['secretary', 'organiser'],
    input: activityInputs.respondJoint,
    ops: { count: '4–5', what: "caller, branch, activity, [joining branch's members], conditional update" },
    handler: async (input, ctx): Promise<ActivityOutputs['respondJoint']> => {
      const { db, now } = ctx;
      const _ = db.command;
      const me = ctx.caller.member;
      const [branch, first] = await Promise.all([loadBranchInScope(db, me, input.branchId), getDoc<StoredActivity>(db, C.items, input.id)]);
      // an activity that did not invite this branch is, for it, one that does not exist
      if (!first || !(first.jointBranchIds ?? []).includes(branch._id)) throw new AppError('NOT_FOUND', NOT_FOUND);
      let a = first;
      // written only over the invitations read (inviteRev): two branches answering at once both land
      for (let attempt = 0; attempt < 3; attempt++) {
        const out = answerJointInvite(a, branch._id, input.decision, me._id, now);
        const invite = jointView(out.invites.find((j) => j.branchId === branch._id)!);
        if (!out.changed) return { activity: toActivityView(a, now), invite, changed: false, added: 0 };
        let add: RosterEntry[] = [];
        if (out.joins) {
          const res = await db
            .collection(C.members)
            .where({ branchId: branch._id, status: 'active' })
            .field({ _id: true, name: true, branchId: true })
            .orderBy('_id', 'asc')
            .limit(1000)
            .get();
          const known = new Set(a.roster.map((m) => m.id));
          add = (res.data as { _id: string; name: string; branchId: string }[]).map((m) => ({ id: m._id, name: m.name, branchId: m.branchId })).filter((m) => !known.has(m.id));
        }
        const rev = a.inviteRev ?? 0;
        const data: Record<string, unknown> = { joint: _.set(out.invites), inviteRev: _.inc(1), updatedAt: now };
        if (out.joins) {
          data.branchIds = _.push([branch._id]);
          if (add.length) data.roster = _.push(add);
        }
        // not once the close has begun: its roster is final from then on
        const res = await db
          .collection(C.items)
          .where({ _id: a._id, status: 'published', inviteRev: a.inviteRev === undefined ? _.exists(false) : rev, finalisedAt: null, closing: _.neq(true) })
          .update({ data });
        if (res?.stats?.updated) {
          const next: StoredActivity = {
            ...a,
            joint: out.invites,
            inviteRev: rev + 1,
            updatedAt: now,
            ...(out.joins ? { branchIds: [...a.branchIds, branch._id], roster: rosterWith(a.roster, add) } : {}),
          };
          rememberActivity(next);
          return { activity: toActivityView(next, now), invite, changed: true, added: add.length };
        }
        a = await loadActivity(db, a._id);
      }
      throw new AppError('FAILED_PRECONDITION', '活动信息刚刚有变化，请稍后再试');
    },
  }),

  // 会议记录, the 7+1 checklist and the cadence each branch owes (minutes.ts, cadence.ts)
  ...minutesActions,
  ...cadenceActions,

  rates: action({
    allow: ['secretary', 'organiser'],
    input: activityInputs.rates,
    ops: { count: '3+n', what: 'as exportLedger, no file' },
    handler: async (input, ctx): Promise<ActivityOutputs['rates']> => {
      const me = ctx.caller.member;
      const { branch, activities, records } = await periodData(ctx.db, me, input);
      const published = activities.filter((a) => a.status === 'published' && a.finalisedAt);
      const rows = memberRates(published, records);
      const { counts, rate } = periodTotals(rows);
      // per activity from the same records (the 台账 chart): no further read
      const byActivity = new Map<string, StoredAttendance[]>();
      for (const r of records) byActivity.set(r.activityId, [...(byActivity.get(r.activityId) ?? []), r]);
      return {
        branchId: branch._id,
        from: input.from,
        to: input.to,
        activities: published.length,
        counts,
        rate,
        members: isSecretaryOf(me, branch._id) ? rows : null,
        perActivity: published.map((a) => {
          const c = countAttendance(a.roster, byActivity.get(a._id) ?? []);
          return { activityId: a._id, title: a.title, startAt: new Date(a.startAt).toISOString(), expected: c.expected, present: c.present, rate: attendanceRates(c).attendance };
        }),
      };
    },
  }),

  branchRates: action({
    allow: ['organiser'],
    input: activityInputs.branchRates,
    ops: { count: '4', what: "caller, scope node, the subtree's branches, one aggregate over finished activities' stored counts" },
    handler: async (input, ctx): Promise<ActivityOutputs['branchRates']> => {
      const { db } = ctx;
      const _ = db.command;
      const $ = db.command.aggregate;
      const scopeId = (ctx.caller.member as { scopeId: string }).scopeId;
      const { start, end } = ledgerPeriod(input.from, input.to);
      // counts are stored on each activity when its sign-in closes: no attendance record is read
      const [scope, branches, sums] = await Promise.all([
        getDoc<{ name: string }>(db, C.nodes, scopeId),
        db.collection(C.nodes).where({ path: scopeId, type: 'branch' }).field({ _id: true, name: true }).limit(1000).get(),
        db
          .collection(C.items)
          .aggregate()
          .match({ hostPath: scopeId, status: 'published', finalisedAt: _.neq(null), startAt: _.and(_.gte(start), _.lt(end)) })
          .group({ _id: '$hostBranchId', activities: $.sum(1), expected: $.sum('$counts.expected'), present: $.sum('$counts.present') })
          .limit(1000)
          .end(),
      ]);
      const by = new Map((sums.list as Array<{ _id: string; activities: number; expected: number; present: number }>).map((r) => [r._id, r]));
      const rows = (branches.data as Array<{ _id: string; name: string }>).map((b) => {
        const r = by.get(b._id);
        const c = { expected: r?.expected ?? 0, present: r?.present ?? 0, madeUp: 0 };
        return { branchId: b._id, name: b.name, activities: r?.activities ?? 0, expected: c.expected, present: c.present, rate: attendanceRates(c).attendance };
      });
      rows.sort((a, b) => a.rate - b.rate || a.name.localeCompare(b.name, 'zh'));
      return { from: input.from, to: input.to, scopeName: scope?.name ?? '', rows };
    },
  }),
};

const jointView = (j: JointInvite): JointInviteView => ({ branchId: j.branchId, name: j.name, status: j.status, at: j.at ? new Date(j.at).toISOString() : null });

/**
 * A branch's activities in a period and their attendance, limited to that branch's own members
 * (a joint activity appears in each branch's ledger with that branch's people): one read of the
 * activities, then attendance 1000 records per read.
 */
async function periodData(db: Db, me: CallerMember, input: { from: string; to: string; branchId?: string }) {
  const _ = db.command;
  const { start, end } = ledgerPeriod(input.from, input.to);
  const branch = await loadBranchInScope(db, me, input.branchId);
  const branchId = branch._id;
  const acts = await db
    .collection(C.items)
    .where({ branchIds: branchId, status: 'published', startAt: _.and(_.gte(start), _.lt(end)) })
    .orderBy('startAt', 'asc')
    .limit(1000)
    .get();
  const activities = (acts.data as StoredActivity[]).map((a) => ({ ...a, roster: a.roster.filter((m) => m.branchId === branchId) }));
  const records = activities.length
    ? await readAll<StoredAttendance>(db, C.attendance, { activityId: _.in(activities.map((a) => a._id)), branchId })
    : [];
  return { branch, activities, records };
}

/** Timer: finalise every activity whose sign-in window has closed. */
export async function runFinaliseTimer(ctx: ActivityCtx): Promise<{ finalised: number; awarded: number }> {
  const { db, now } = ctx;
  const _ = db.command;
  // never before the start, whatever the stored window says: nobody can be late yet
  const due = await db
    .collection(C.items)
    .where({ status: 'published', finalisedAt: null, signInCloseAt: _.lte(now), startAt: _.lte(now) })
    .orderBy('signInCloseAt', 'asc')
    .limit(20)
    .get();
  let finalised = 0;
  let awarded = 0;
  for (const a of due.data as StoredActivity[]) {
    if (!finaliseDue(a, now)) continue;
    await finaliseActivity(db, a, now, undefined, (closing, present) => awardForAttendance(ctx, closing, present));
    finalised++;
    awarded++;
  }
  // activities finalised without their awards (by an earlier version): the next tick retries a failure
  const toAward = await db
    .collection(C.items)
    .where({ status: 'published', finalisedAt: _.neq(null), awardedAt: null })
    .orderBy('signInCloseAt', 'asc')
    .limit(20)
    .get();
  for (const a of toAward.data as StoredActivity[]) {
    await awardForAttendance(ctx, a);
    await db.collection(C.items).doc(a._id).update({ data: { awardedAt: now } });
    awarded++;
  }
  return { finalised, awarded };
}

/** How the activity reminders go out (the function's timeout is 60 s, and `finalise` runs first in the same tick). */
export const ACTIVITY_REMINDERS = {
  /** due reminders read per query (the server's limit() maximum) */
  page: 1000,
  /** reminders sent and then marked together */
  batch: 100,
  /** subscribe messages in flight at once */
  concurrency: 20,
  /** no new batch starts after this long */
  budgetMs: 30_000,
  /** a reminder this long after the start helps nobody: marked, not sent */
  lateMs: 10 * 60_000,
  /** a refusal that says "not now" (45009, -1) is tried again this much later: the next tick */
  retryMs: 60_000,
} as const;

type DueSub = { _id: string; openid: string; activityId: string; title: string; place: string; startAt: Date | string };

/**
 * Timer: send the reminders that are due (one subscribe message per opted-in member), 20 at a time
 * for up to 30 s a run. Each reminder is marked with what became of it: delivered, refused for good
 * (43101: no grant — asking again would be refused again), or too late; a "not now" refusal (45009)
 * stays queued for the next tick, until it is too late.
 */
export async function runRemindTimer(
  ctx: ActivityCtx,
  limits: { [K in keyof typeof ACTIVITY_REMINDERS]: number } = ACTIVITY_REMINDERS,
): Promise<{ sent: number; failed: number; retry: number; left: boolean }> {
  const { db, now } = ctx;
  const _ = db.command;
  // the budget is wall-clock time of this run; `now` is the time the run is for
  const started = Date.now();
  const withinBudget = () => Date.now() - started < limits.budgetMs;
  const send = (m: SubscribeMsg) => sendSubscribe((o) => ctx.cloud.openapi.subscribeMessage.send(o), m);
  let sent = 0;
  let failed = 0;
  let retry = 0;
  while (withinBudget()) {
    const due = (await db.collection(C.subs).where({ sent: false, remindAt: _.lte(now) }).orderBy('remindAt', 'asc').limit(limits.page).get()).data as DueSub[];
    let done = 0;
    // the first batch of a run goes out whatever the read cost, so every run moves the queue on
    for (; done < due.length && (sent + failed + retry === 0 || withinBudget()); done += limits.batch) {
      const batch = due.slice(done, done + limits.batch);
      const out = new Array<SendOutcome | 'late'>(batch.length);
      let next = 0;
      const worker = async () => {
        while (next < batch.length) {
          const k = next++;
          const s = batch[k];
          out[k] =
            new Date(s.startAt).getTime() <= now.getTime() - limits.lateMs
              ? 'late'
              : await send({
                  touser: s.openid,
                  page: `pages/activity/detail/index?id=${s.activityId}`,
                  ...subscribeMessage('activityRemind', { thing1: s.title.slice(0, 20), time2: subscribeTime(s.startAt), thing3: s.place.slice(0, 20) }),
                });
        }
      };
      await Promise.all(Array.from({ length: Math.min(limits.concurrency, batch.length) }, worker));
      const ids = (pick: (o: SendOutcome | 'late') => boolean) => batch.filter((_s, k) => pick(out[k])).map((s) => s._id);
      const mark = async (list: string[], data: Record<string, unknown>) => {
        if (list.length) await db.collection(C.subs).where({ _id: _.in(list), sent: false }).update({ data });
      };
      const delivered = ids((o) => o !== 'late' && o.ok);
      const later = ids((o) => o !== 'late' && !o.ok && o.retry);
      await mark(delivered, { sent: true, sentAt: now, kind: 'remind', delivered: true });
      // moved past this run's `now`: the next tick tries them again
      await mark(later, { remindAt: new Date(now.getTime() + limits.retryMs), retries: _.inc(1) });
      // refused for good (or too late), one update per reason: almost always one, 43101
      const refused = new Map<string, { errCode: number | string | null; ids: string[] }>();
      batch.forEach((s, k) => {
        const o = out[k];
        if (o !== 'late' && (o.ok || o.retry)) return;
        const errCode = o === 'late' ? 'late' : o.errCode;
        const group = refused.get(String(errCode)) ?? { errCode, ids: [] };
        group.ids.push(s._id);
        refused.set(String(errCode), group);
      });
      for (const g of refused.values()) await mark(g.ids, { sent: true, sentAt: now, kind: 'remind', delivered: false, errCode: g.errCode });
      sent += delivered.length;
      retry += later.length;
      failed += batch.length - delivered.length - later.length;
    }
    if (done < due.length) break;
    if (due.length < limits.page) return { sent, failed, retry, left: false };
  }
  return { sent, failed, retry, left: true };
}

export const activityTimers: Record<string, TimerDef<ActivityCtx>> = {
  finalise: { run: runFinaliseTimer, ops: { what: 'finalises every activity whose sign-in window has closed, then gives its awards' } },
  remind: {
    run: (ctx) => runRemindTimer(ctx),
    ops: { count: '1+n', what: 'due reminders, a page of 1,000 per read; up to three updates per 100 (+ one subscribe message each, 20 at a time, for up to 30 s a run)' },
  },
};
