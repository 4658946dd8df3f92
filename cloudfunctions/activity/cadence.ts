/**
 * The cadence each branch owes (三会一课): the secretary's month and quarter, the organiser's subtree,
 * the organiser's setting, and the reminder a week before a period ends. Database work only; the
 * rules are core/activity/cadence.ts. Every view reads the counters of at most one quarter (three
 * documents per branch), so its cost does not grow with the history.
 */
import { AppError } from '../../core/fn/errors';
import { actionsFor, type ActionTable } from '../../core/fn/router';
import type { TimerJob } from '../../core/fn/serve';
import { getDoc, isDuplicateKey, stripId, type Db } from '../../core/fn/db';
import { loadBranchInScope } from '../../core/org/scope';
import { activityInputs, type ActivityOutputs } from '../../core/activity/contracts';
import { ACTIVITY_TYPES } from '../../core/activity/rules';
import {
  CADENCE_KINDS,
  assertTightens,
  counterId,
  dueSummary,
  effectiveCadence,
  monthBounds,
  monthOf,
  quarterBounds,
  quarterMonths,
  quarterOf,
  standing,
  cadenceRows,
  monthsBetween,
  type CadenceLedgerRow,
  type CadenceSetting,
  type CadenceStatus,
  type PeriodStanding,
  type StoredCadenceCounter,
} from '../../core/activity/cadence';
import { subscribeDate, subscribeMessage } from '../../core/subscribe/templates';
import { sendSubscribe } from '../../core/subscribe/send';
import { buildSubtreeLedgerXlsx, LEDGER_THUMBS_PER_MEETING, MAX_SUBTREE_LEDGER_ROWS, type LedgerMinutes, type SubtreeLedgerBranch } from '../../core/activity/ledger';
import { ledgerPeriod } from '../../core/activity/period';
import { sniffImage, type StoredMinutes } from '../../core/activity/minutes';
import type { StoredAttendance } from './store';
import { addDays, dayOf } from '../../core/day';
import { MC, loadNodeInScope, orgRulesAlong, currentRules, type StoredOrgRules } from './minutes';
import type { ActivityCtx } from './context';
import type { StoredActivity } from './store';

export const CC = { ...MC, subs: 'activity_cadence_subs', reminders: 'activity_cadence_reminders' } as const;

/** A secretary's one allowed 待开会议提醒 (`${branchId}:${memberId}`). */
export type StoredCadenceSub = {
  _id: string;
  branchId: string;
  memberId: string;
  openid: string;
  active: boolean;
  at: Date | string;
  sentAt?: Date | string | null;
};

const { action } = actionsFor<ActivityCtx>();

/** How far back a held meeting without minutes is listed as 待补记录. */
const PENDING_DAYS = 90;

type NodeRow = { _id: string; name: string; type: string; parentId: string | null; path: string[] };

const settingOf = (r: StoredOrgRules | undefined): CadenceSetting | null => (r?.cadence ? (r.cadence as CadenceSetting) : null);

/** The minimums for a branch from the settings by node id (its ancestors and itself). */
const minimumsFor = (fullPath: readonly string[], rules: Map<string, StoredOrgRules>) => effectiveCadence(fullPath.map((p) => settingOf(rules.get(p))));

/**
 * Reads every document matching `query`, `page` at a time (1000 at most; fewer for large documents,
 * since one answer may not exceed 1 MB: an activity with its roster is 1–3 KB).
 */
async function readAll<T>(db: Db, coll: string, query: Record<string, unknown>, field?: Record<string, boolean>, page = 1000): Promise<T[]> {
  const out: T[] = [];
  for (let skip = 0; ; skip += page) {
    let q = db.collection(coll).where(query);
    if (field) q = q.field(field);
    const res = await q.orderBy('_id', 'asc').skip(skip).limit(page).get();
    out.push(...(res.data as T[]));
    if (res.data.length < page) return out;
  }
}

type Storage = {
  downloadFile(o: { fileID: string }): Promise<{ fileContent: Buffer }>;
  getTempFileURL(o: { fileList: (string | { fileID: string; maxAge: number })[] }): Promise<{ fileList: { fileID: string; tempFileURL: string }[] }>;
};
/** photo links in a 台账 stay valid this long (the embedded thumbnails for good) */
const LINK_MAX_AGE_S = 30 * 86_400;

/**
 * What a 台账 adds to the attendance: each activity's minutes (with links to the photos and, for a
 * branch's own export, the thumbnails the phone made) and the cadence per period. Reads: minutes,
 * the counters of the period, the settings along the branch's path, its 党小组; then storage.
 */
export async function ledgerExtras(
  ctx: ActivityCtx,
  branch: { _id: string; path: string[] },
  activities: readonly { _id: string }[],
  from: string,
  to: string,
  opts: { thumbs: boolean },
): Promise<{ minutes: LedgerMinutes[]; cadence: CadenceLedgerRow[] }> {
  const { db, now } = ctx;
  const _ = db.command;
  const full = [...branch.path, branch._id];
  const ids = activities.map((a) => a._id);
  const [mins, counters, rules, groups] = await Promise.all([
    ids.length ? readAll<StoredMinutes>(db, CC.minutes, { _id: _.in(ids) }, undefined, 200) : Promise.resolve([] as StoredMinutes[]),
    db.collection(CC.cadence).where({ branchId: branch._id, month: _.in(monthsBetween(from, to)) }).limit(1000).get(),
    orgRulesAlong(db, full),
    db.collection(CC.nodes).where({ parentId: branch._id, type: 'group' }).field({ _id: true, name: true }).limit(100).get(),
  ]);
  const g = (groups.data as { _id: string; name: string }[]).map((x) => ({ id: x._id, name: x.name }));
  const cadence = cadenceRows(from, to, counters.data as StoredCadenceCounter[], minimumsFor(full, new Map(rules.map((r) => [r._id, r]))), { groups: g }, now);
  const minutes = await ledgerMinutes(ctx, mins, opts.thumbs);
  return { minutes, cadence };
}

/** The minutes with photo links (and thumbnails) for a 台账. */
async function ledgerMinutes(ctx: ActivityCtx, mins: readonly StoredMinutes[], thumbs: boolean): Promise<LedgerMinutes[]> {
  const st = ctx.cloud as unknown as Storage;
  const files = mins.flatMap((m) => m.photos.map((p) => p.fileID));
  const urls = new Map<string, string>();
  // CloudBase answers at most 50 files per getTempFileURL
  for (let i = 0; i < files.length; i += 50) {
    const res = await st.getTempFileURL({ fileList: files.slice(i, i + 50).map((fileID) => ({ fileID, maxAge: LINK_MAX_AGE_S })) });
    for (const f of res.fileList) urls.set(f.fileID, f.tempFileURL);
  }
  const thumbOf = new Map<string, { buffer: Buffer; extension: 'png' | 'jpeg' } | null>();
  if (thumbs) {
    const wanted = mins.flatMap((m) => m.photos.filter((p) => p.thumb).slice(0, LEDGER_THUMBS_PER_MEETING).map((p) => p.thumb!));
    for (let i = 0; i < wanted.length; i += 8) {
      await Promise.all(
        wanted.slice(i, i + 8).map(async (f) => {
          const buf = await st.downloadFile({ fileID: f }).then((r) => r.fileContent, () => null);
          const kind = buf ? sniffImage(buf) : null;
          thumbOf.set(f, buf && (kind === 'png' || kind === 'jpeg') ? { buffer: buf, extension: kind } : null);
        }),
      );
    }
  }
  return mins.map((m) => ({
    activityId: m.activityId,
    hostName: m.hostName,
    recorderName: m.recorderName,
    topics: m.topics,
    resolutions: m.resolutions,
    photos: m.photos.map((p) => ({ fileID: p.fileID, url: urls.get(p.fileID), thumb: p.thumb ? (thumbOf.get(p.thumb) ?? null) : null })),
    attachments: m.attachments.map((x) => ({ name: x.name })),
    checklist: m.checklist,
    version: m.version,
  }));
}

/** what an organiser's 台账 reads of an activity and of an attendance record */
const ACT_FIELDS = { _id: true, type: true, title: true, agenda: true, startAt: true, endAt: true, hostName: true, roster: true, status: true, place: true, branchIds: true, hostBranchId: true };
const REC_FIELDS = { activityId: true, memberId: true, memberName: true, status: true, method: true, at: true, leaveReason: true, note: true, madeUpAt: true, branchId: true };

const brief = (p: PeriodStanding) => ({ status: p.status, held: p.held, owed: p.owed, dueKinds: p.lines.filter((l) => l.due > 0).map((l) => l.label) });

export const cadenceActions: ActionTable<ActivityCtx> = {
  cadence: action({
    allow: ['secretary', 'organiser'],
    input: activityInputs.cadence,
    ops: { count: '7–8', what: 'caller, branch, settings along its path, the quarter’s counters, its 党小组, recent meetings, their minutes, [the reminder]' },
    handler: async (input, ctx): Promise<ActivityOutputs['cadence']> => {
      const { db, now } = ctx;
      const _ = db.command;
      const me = ctx.caller.member;
      const branch = await loadBranchInScope(db, me, input.branchId);
      const full = [...branch.path, branch._id];
      const month = input.month ?? monthOf(now);
      const months = quarterMonths(quarterOf(month));
      const since = new Date(now.getTime() - PENDING_DAYS * 86_400_000);
      const [rules, counters, groups, held, sub] = await Promise.all([
        orgRulesAlong(db, full),
        db.collection(CC.cadence).where({ _id: _.in(months.map((m) => counterId(branch._id, m))) }).limit(3).get(),
        db.collection(CC.nodes).where({ parentId: branch._id, type: 'group' }).field({ _id: true, name: true }).limit(100).get(),
        db
          .collection(CC.items)
          .where({ hostBranchId: branch._id, status: 'published', type: _.in([...CADENCE_KINDS]), startAt: _.and(_.gte(since), _.lte(now)) })
          .field({ _id: true, type: true, title: true, startAt: true })
          .orderBy('startAt', 'desc')
          .limit(50)
          .get(),
        me.role === 'secretary' ? getDoc<StoredCadenceSub>(db, CC.subs, `${branch._id}:${me._id}`) : Promise.resolve(null),
      ]);
      const acts = held.data as Pick<StoredActivity, '_id' | 'type' | 'title' | 'startAt'>[];
      const withMinutes = acts.length
        ? new Set(((await db.collection(CC.minutes).where({ _id: _.in(acts.map((a) => a._id)) }).field({ _id: true }).limit(acts.length).get()).data as { _id: string }[]).map((m) => m._id))
        : new Set<string>();
      const min = minimumsFor(full, new Map(rules.map((r) => [r._id, r])));
      const g = (groups.data as { _id: string; name: string }[]).map((x) => ({ id: x._id, name: x.name }));
      const s = standing(month, counters.data as StoredCadenceCounter[], min, { groups: g }, now);
      return {
        branchId: branch._id,
        branchName: branch.name,
        month: s.month,
        quarter: s.quarter,
        minimums: min,
        noGroups: g.length === 0,
        pendingMinutes: acts
          .filter((a) => !withMinutes.has(a._id))
          .map((a) => ({ id: a._id, type: a.type, typeLabel: ACTIVITY_TYPES[a.type], title: a.title, startAt: new Date(a.startAt).toISOString() })),
        subscribed: !!sub?.active,
      };
    },
  }),

  cadenceOverview: action({
    allow: ['organiser'],
    input: activityInputs.cadenceOverview,
    ops: { count: '6 + n', what: 'caller, node, its subtree’s nodes, the quarter’s counters, settings above and below (n = extra reads per 1000 nodes or counters)' },
    handler: async (input, ctx): Promise<ActivityOutputs['cadenceOverview']> => {
      const { db, now } = ctx;
      const _ = db.command;
      const me = ctx.caller.member;
      const node = await loadNodeInScope(db, me, input.nodeId);
      const month = input.month ?? monthOf(now);
      const quarter = quarterOf(month);
      const full = [...node.path, node._id];
      const [nodes, counters, above, below] = await Promise.all([
        readAll<NodeRow>(db, CC.nodes, { path: node._id }, { _id: true, name: true, type: true, parentId: true, path: true }),
        readAll<StoredCadenceCounter>(db, CC.cadence, { path: node._id, month: _.in(quarterMonths(quarter)) }),
        orgRulesAlong(db, full),
        db.collection(CC.orgRules).where({ path: node._id }).limit(1000).get(),
      ]);
      const rules = new Map<string, StoredOrgRules>([...above, ...(below.data as StoredOrgRules[])].map((r) => [r._id, r]));
      const nameOf = new Map(nodes.map((n) => [n._id, n.name]));
      nameOf.set(node._id, node.name);
      const groupsOf = new Map<string, { id: string; name: string }[]>();
      for (const n of nodes) if (n.type === 'group' && n.parentId) groupsOf.set(n.parentId, [...(groupsOf.get(n.parentId) ?? []), { id: n._id, name: n.name }]);
      const byBranch = new Map<string, StoredCadenceCounter[]>();
      for (const c of counters) byBranch.set(c.branchId, [...(byBranch.get(c.branchId) ?? []), c]);
      const branches = node.type === 'branch' ? [{ ...node, parentId: node.path[node.path.length - 1] ?? null }] : nodes.filter((n) => n.type === 'branch');
      const totals = { month: { on_track: 0, due_soon: 0, missed: 0 }, quarter: { on_track: 0, due_soon: 0, missed: 0 } } as Record<'month' | 'quarter', Record<CadenceStatus, number>>;
      const rows = branches.map((b) => {
        const bf = [...b.path, b._id];
        const g = groupsOf.get(b._id) ?? [];
        const s = standing(month, byBranch.get(b._id) ?? [], minimumsFor(bf, rules), { groups: g }, now);
        totals.month[s.month.status]++;
        totals.quarter[s.quarter.status]++;
        // the levels between the node looked at and the branch (街道 · 社区)
        const between = b.path.slice(b.path.indexOf(node._id) + 1).map((p) => nameOf.get(p) ?? '').filter(Boolean);
        return { branchId: b._id, branchName: b.name, parentName: between.join(' · '), month: brief(s.month), quarter: brief(s.quarter), noGroups: g.length === 0 };
      });
      return { nodeId: node._id, nodeName: node.name, month, quarter, rows, totals, minimums: minimumsFor(full, rules) };
    },
  }),

  setCadence: action({
    allow: ['organiser'],
    input: activityInputs.setCadence,
    ops: { count: '5', what: 'caller, node, settings along its path, its own settings, upsert' },
    handler: async (input, ctx): Promise<ActivityOutputs['setCadence']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const node = await loadNodeInScope(db, me, input.nodeId);
      const rules = await orgRulesAlong(db, node.path);
      // only what the levels above require binds: the node's own earlier setting may be lowered back to it
      const above = effectiveCadence(rules.map((r) => settingOf(r)));
      const setting = Object.fromEntries(Object.entries(input.minimums).filter(([, v]) => typeof v === 'number')) as CadenceSetting;
      assertTightens(setting, above);
      const rest = await currentRules(db, node._id);
      await db.collection(CC.orgRules).doc(node._id).set({ data: { ...rest, path: node.path, cadence: setting, updatedAt: now, updatedBy: me._id } });
      return { nodeId: node._id, minimums: effectiveCadence([above, setting]) };
    },
  }),

  exportSubtreeLedger: action({
    allow: ['organiser'],
    input: activityInputs.exportSubtreeLedger,
    ops: {
      count: '6 + 2b + n',
      what: 'caller, node, branches, activities, per branch (b) its attendance and minutes, counters, settings (n = extra reads per 250 activities, 1000 records, 200 minutes); + storage',
    },
    handler: async (input, ctx): Promise<ActivityOutputs['exportSubtreeLedger']> => {
      const { db, now } = ctx;
      const _ = db.command;
      const me = ctx.caller.member;
      const node = await loadNodeInScope(db, me, input.nodeId);
      const { start, end } = ledgerPeriod(input.from, input.to);
      const nodes = await readAll<NodeRow>(db, CC.nodes, { path: node._id, type: _.in(['branch', 'group']) }, { _id: true, name: true, type: true, parentId: true, path: true });
      const branches = node.type === 'branch' ? [{ ...node, parentId: null }] : nodes.filter((n) => n.type === 'branch');
      if (!branches.length) throw new AppError('NOT_FOUND', '这个组织下没有党支部');
      const acts = await readAll<StoredActivity>(db, CC.items, { hostPath: node._id, status: 'published', startAt: _.and(_.gte(start), _.lt(end)) }, ACT_FIELDS, 250);
      const rows = acts.reduce((s2, a) => s2 + a.roster.length, 0);
      if (rows > MAX_SUBTREE_LEDGER_ROWS) {
        throw new AppError('FAILED_PRECONDITION', `所选范围的出勤记录约 ${rows} 条，超过一次导出的上限 ${MAX_SUBTREE_LEDGER_ROWS} 条，请缩短期间或按街道、社区分别导出`);
      }
      const ids = acts.map((a) => a._id);
      // attendance and minutes branch by branch (index branch_start; one page each for a branch's year),
      // eight at a time: a list of a thousand ids or an array match over the district is far slower
      const records: StoredAttendance[] = [];
      const mins: StoredMinutes[] = [];
      const when = _.and(_.gte(start), _.lt(end));
      for (let i = 0; ids.length && i < branches.length; i += 8) {
        const part = await Promise.all(
          branches.slice(i, i + 8).map((b) =>
            Promise.all([
              readAll<StoredAttendance>(db, 'activity_attendance', { branchId: b._id, startAt: when }, REC_FIELDS),
              readAll<StoredMinutes>(db, CC.minutes, { branchId: b._id, startAt: when }, undefined, 200),
            ]),
          ),
        );
        for (const [r, m] of part) {
          records.push(...r);
          mins.push(...m);
        }
      }
      const [counters, above, below] = await Promise.all([
        readAll<StoredCadenceCounter>(db, CC.cadence, { path: node._id, month: _.in(monthsBetween(input.from, input.to)) }),
        orgRulesAlong(db, [...node.path, node._id]),
        db.collection(CC.orgRules).where({ path: node._id }).limit(1000).get(),
      ]);
      const rules = new Map<string, StoredOrgRules>([...above, ...(below.data as StoredOrgRules[])].map((r) => [r._id, r]));
      const minutes = await ledgerMinutes(ctx, mins, false);
      const minBy = new Map(minutes.map((m) => [m.activityId, m]));
      const groupsOf = new Map<string, { id: string; name: string }[]>();
      for (const n of nodes) if (n.type === 'group' && n.parentId) groupsOf.set(n.parentId, [...(groupsOf.get(n.parentId) ?? []), { id: n._id, name: n.name }]);
      const list: SubtreeLedgerBranch[] = branches
        .map((b) => {
          const own = acts.filter((a) => a.branchIds.includes(b._id)).map((a) => ({ ...a, roster: a.roster.filter((m) => m.branchId === b._id) }));
          const ownIds = new Set(own.map((a) => a._id));
          return {
            branchName: b.name,
            activities: own,
            records: records.filter((r) => r.branchId === b._id && ownIds.has(r.activityId)),
            minutes: own.flatMap((a) => (a.hostBranchId === b._id && minBy.has(a._id) ? [minBy.get(a._id)!] : [])),
            cadence: cadenceRows(input.from, input.to, counters.filter((c) => c.branchId === b._id), minimumsFor([...b.path, b._id], rules), { groups: groupsOf.get(b._id) ?? [] }, now),
          };
        })
        .sort((x, y) => x.branchName.localeCompare(y.branchName, 'zh'));
      const buf = await buildSubtreeLedgerXlsx({ nodeName: node.name, from: input.from, to: input.to, branches: list, generatedAt: now });
      const up = await ctx.cloud.uploadFile({ cloudPath: `activity-ledger/${node._id}/subtree_${input.from}_${input.to}_${now.getTime()}.xlsx`, fileContent: buf });
      const urls = await ctx.cloud.getTempFileURL({ fileList: [up.fileID] });
      return {
        fileName: `${node.name}-三会一课台账-${input.from}-${input.to}.xlsx`,
        fileID: up.fileID,
        url: urls.fileList[0]?.tempFileURL ?? '',
        bytes: buf.length,
        branches: list.length,
        activities: acts.length,
        minutes: mins.length,
        rows,
      };
    },
  }),

  cadenceSubscribe: action({
    allow: ['secretary'],
    input: activityInputs.cadenceSubscribe,
    ops: { count: '2', what: 'caller, upsert' },
    handler: async (_in, ctx): Promise<ActivityOutputs['cadenceSubscribe']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const sub: StoredCadenceSub = { _id: `${me.branchId}:${me._id}`, branchId: me.branchId, memberId: me._id, openid: ctx.caller.openid, active: true, at: now, sentAt: null };
      await db.collection(CC.subs).doc(sub._id).set({ data: stripId(sub) });
      return { subscribed: true };
    },
  }),
};

/** Is `now` within the week before the month ends (China time)? The quarter ends with its last month. */
export function inReminderWeek(now: Date): boolean {
  const m = monthBounds(monthOf(now));
  return dayOf(now) >= addDays(m.to, -6);
}

/**
 * Timer job: a week before a month (or quarter) ends, one subscribe message to each secretary who
 * allowed it and whose branch still owes a meeting. Once per branch per month: the reminder's
 * record (`${branchId}:${month}`) is inserted before the send, so a second run or a second
 * instance sends nothing; the secretary's grant is spent by the send.
 */
export async function runCadenceRemind(ctx: ActivityCtx): Promise<{ sent: number; skipped: number }> {
  const { db, now } = ctx;
  const _ = db.command;
  if (!inReminderWeek(now)) return { sent: 0, skipped: 0 };
  const res = await db.collection(CC.subs).where({ active: true }).orderBy('_id', 'asc').limit(100).get();
  const subs = res.data as StoredCadenceSub[];
  if (!subs.length) return { sent: 0, skipped: 0 };
  const month = monthOf(now);
  const months = quarterMonths(quarterOf(month));
  const branchIds = [...new Set(subs.map((s) => s.branchId))];
  const [branches, counters, groups] = await Promise.all([
    db.collection(CC.nodes).where({ _id: _.in(branchIds) }).field({ _id: true, name: true, path: true }).limit(branchIds.length).get(),
    db.collection(CC.cadence).where({ branchId: _.in(branchIds), month: _.in(months) }).limit(1000).get(),
    db.collection(CC.nodes).where({ parentId: _.in(branchIds), type: 'group' }).field({ _id: true, name: true, parentId: true }).limit(1000).get(),
  ]);
  const bs = branches.data as { _id: string; name: string; path: string[] }[];
  const pathIds = [...new Set(bs.flatMap((b) => [...(b.path ?? []), b._id]))];
  const rulesRes = pathIds.length ? await db.collection(CC.orgRules).where({ _id: _.in(pathIds) }).limit(pathIds.length).get() : { data: [] };
  const rules = new Map((rulesRes.data as StoredOrgRules[]).map((r) => [r._id, r]));
  let sent = 0;
  let skipped = 0;
  for (const s of subs) {
    const b = bs.find((x) => x._id === s.branchId);
    if (!b) continue;
    const g = (groups.data as { _id: string; name: string; parentId: string }[]).filter((x) => x.parentId === b._id).map((x) => ({ id: x._id, name: x.name }));
    const st = standing(month, (counters.data as StoredCadenceCounter[]).filter((c) => c.branchId === b._id), minimumsFor([...(b.path ?? []), b._id], rules), { groups: g }, now);
    const urgent = [st.month, st.quarter].filter((p) => p.status === 'due_soon');
    if (!urgent.length) {
      skipped++;
      continue;
    }
    try {
      await db.collection(CC.reminders).add({ data: { _id: `${b._id}:${month}`, branchId: b._id, month, memberId: s.memberId, at: now } });
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      skipped++;
      continue;
    }
    const first = urgent[0];
    const last = first.unit === 'month' ? monthBounds(month).to : quarterBounds(quarterOf(month)).to;
    const out = await sendSubscribe((o) => ctx.cloud.openapi.subscribeMessage.send(o), {
      touser: s.openid,
      page: 'pages/activity/index',
      ...subscribeMessage('cadenceDue', {
        thing1: dueSummary(first) || '三会一课',
        date2: subscribeDate(last),
        thing3: `${b.name}`.slice(0, 20),
      }),
    });
    if (!out.ok && out.retry) {
      // 45009 / busy: not sent and the grant unspent; the next hourly run sends it
      console.warn('[activity] cadence reminder deferred', out.errCode);
      await db.collection(CC.reminders).doc(`${b._id}:${month}`).remove();
      skipped++;
      continue;
    }
    if (out.ok) sent++;
    else console.error('[activity] cadence reminder refused', out.errCode);
    // the grant is spent (or refused, or the send's fate unknown): the card asks again next time
    await db.collection(CC.subs).doc(s._id).update({ data: { active: false, sentAt: now } });
  }
  return { sent, skipped };
}

export const cadenceJobs: Record<string, TimerJob<ActivityCtx>> = {
  cadenceRemind: {
    run: runCadenceRemind,
    everyMinutes: 60,
    ops: {
      count: '≤ 6 + 3 per reminder',
      what: 'a week before a month or quarter ends, reminds each secretary who allowed it of the meetings still due (a send WeChat defers, 45009, is tried again the next hour)',
    },
  },
};

