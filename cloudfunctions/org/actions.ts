/**
 * The org function's actions: database work only. Rules (scope, masking, invite validity, roster
 * validation) come from core/org, so they are unit-tested without a server.
 */
import crypto from 'crypto';
import { getDoc, isDuplicateKey, stripId, type Db } from '../../core/fn/db';
import { dayOf } from '../../core/day';
import { AppError } from '../../core/fn/errors';
import { actionsFor, type ActionTable, type CallerMember } from '../../core/fn/router';
import type { Platform } from '../../core/fn/serve';
import { orgInputs, type ApplicationView, type InviteView, type OrgNodeView, type OrgOutputs } from '../../core/org/contracts';
import {
  assertInviteUsable,
  generateInviteCode,
  inviteExpiry,
  invitePath,
  inviteQrCloudPath,
  inviteQrRequest,
  inviteState,
  type StoredInvite,
} from '../../core/org/invite';
import {
  APPLY_LIMIT_MESSAGE,
  applicationConflict,
  applicationId,
  applyLimitId,
  CONFLICT_MESSAGES,
  countsTowardApplyLimit,
  escapeRegExp,
  MAX_APPLICATIONS_PER_DAY,
  newMemberId,
  toApplicationView,
  toMemberView,
  toTransferView,
  type StoredApplication,
  type StoredMemberDoc,
  type StoredTransfer,
} from '../../core/org/member';
import { NodeNameCache, type NodeName, type NodeNameReader } from '../../core/org/node-names';
import { planRosterImport, validateRoster } from '../../core/org/roster';
import { migrateMemberIdsStep } from './migrate-member-ids';
import { readRosterTable } from '../../core/org/roster-file';
import { importRosterFile, rosterStorage, writeRosterUpdates } from './roster-import';
import { SheetFileError } from '../../core/sheet/read';
import {
  canMoveMember,
  canSeeHistory,
  canSetRole,
  isSecretaryOf,
  loadBranchInScope,
  nodeFullPath,
} from '../../core/org/scope';

/** wx-server-sdk's database, created with `throwOnNotFound: false` so a missing doc reads as null. */
export type { Db };

/** Storage and wxacode.getUnlimited of wx-server-sdk (the invite's 小程序码); a test double in tests. */
export interface OrgCloud {
  uploadFile: Platform['cloud']['uploadFile'];
  getTempFileURL: Platform['cloud']['getTempFileURL'];
  openapi: { wxacode: { getUnlimited(o: ReturnType<typeof inviteQrRequest>): Promise<{ buffer: Buffer; contentType?: string }> } };
}

export interface OrgCtx {
  db: Db;
  now: Date;
  randomBytes: (size: number) => Uint8Array;
  cloud: OrgCloud;
}

export const makeOrgCtx = (p: Platform): OrgCtx => ({
  db: p.db,
  now: p.now,
  randomBytes: (n) => crypto.randomBytes(n),
  // core/fn/serve types the SDK's openapi with subscribeMessage only; wxacode is the same SDK object
  cloud: p.cloud as unknown as OrgCloud,
});

/** the caller's stored document arrives with the caller (saves `me` a second read) */
const { action } = actionsFor<OrgCtx, StoredMemberDoc>();

export interface OrgNode {
  _id: string;
  name: string;
  type: OrgNodeView['type'];
  parentId: string | null;
  path: string[];
  sort?: number;
}

const C = {
  nodes: 'org_nodes',
  members: 'org_members',
  bindings: 'org_bindings',
  invites: 'org_invites',
  applications: 'org_applications',
  transfers: 'org_transfers',
  applyLimits: 'org_apply_limits',
} as const;

/** How long one migrateMemberIds call keeps starting new work (the function's timeout is 10 s). */
const MIGRATION_BUDGET_MS = 6_000;


async function getNode(db: Db, id: string | null | undefined): Promise<OrgNode | null> {
  return id ? getDoc<OrgNode>(db, C.nodes, id) : null;
}

async function pathNames(db: Db, path: string[]): Promise<string[]> {
  if (path.length === 0) return [];
  const _ = db.command;
  const res = await db.collection(C.nodes).where({ _id: _.in(path) }).limit(path.length).get();
  const byId = new Map<string, string>(res.data.map((n: OrgNode) => [n._id, n.name]));
  return path.map((id) => byId.get(id)).filter((n): n is string => !!n);
}

/** The org tree's names for `me`, per warm instance (core/org/node-names.ts: why, and how stale). */
const nodeNames = new NodeNameCache();

function nodeNameReader(db: Db): NodeNameReader {
  const _ = db.command;
  const fields = { _id: true, name: true, type: true };
  return {
    // 党小组 are never on a member's path nor an organiser's scope: the tree without them is a district's 1,111 nodes
    page: async (afterId, limit) =>
      (await db
        .collection(C.nodes)
        .where(afterId ? { _id: _.gt(afterId), type: _.neq('group') } : { type: _.neq('group') })
        .field(fields)
        .orderBy('_id', 'asc')
        .limit(limit)
        .get()).data as NodeName[],
    byIds: async (ids) => (await db.collection(C.nodes).where({ _id: _.in(ids) }).field(fields).limit(ids.length).get()).data as NodeName[],
  };
}

async function findByPhone(db: Db, phone: string): Promise<StoredMemberDoc | null> {
  const res = await db.collection(C.members).where({ phone }).limit(1).get();
  return (res.data[0] as StoredMemberDoc) ?? null;
}

const sameName = (a: string, b: string) => a.replace(/\s/g, '') === b.replace(/\s/g, '');

/**
 * Makes an invite's 小程序码 once (wxacode.getUnlimited, scene = the code) and keeps it at the
 * code's own path in cloud storage. A failure (quota, an app not yet set up) leaves the invite
 * usable by its code: the secretary sees the code without an image, the log says why.
 */
async function makeInviteQr(cloud: OrgCloud, code: string): Promise<string | undefined> {
  try {
    const img = await cloud.openapi.wxacode.getUnlimited(inviteQrRequest(code));
    const up = await cloud.uploadFile({ cloudPath: inviteQrCloudPath(code), fileContent: img.buffer });
    return up.fileID;
  } catch (e) {
    const err = e as { errCode?: number; errMsg?: string; message?: string };
    console.error(`[org] invite 小程序码 not made: ${err?.errCode ?? ''} ${err?.errMsg ?? err?.message ?? String(e)}`);
    return undefined;
  }
}

/**
 * Views of invites with a temporary URL of each usable one's 小程序码 (one getTempFileURL call).
 * An invite made before invites had one gets it now, stored on the invite so it is made only once.
 */
async function toInviteViews(ctx: OrgCtx, invites: StoredInvite[]): Promise<InviteView[]> {
  const usable = (inv: StoredInvite) => inviteState(inv, ctx.now) === 'valid';
  const withQr = await Promise.all(
    invites.map(async (inv) => {
      if (inv.qrFileID || !usable(inv)) return inv;
      const qrFileID = await makeInviteQr(ctx.cloud, inv._id);
      if (!qrFileID) return inv;
      await ctx.db.collection(C.invites).doc(inv._id).update({ data: { qrFileID } });
      return { ...inv, qrFileID };
    }),
  );
  const fileIds = withQr.filter((i) => i.qrFileID && usable(i)).map((i) => i.qrFileID!);
  const urls = new Map<string, string>();
  if (fileIds.length) {
    try {
      const res = await ctx.cloud.getTempFileURL({ fileList: fileIds });
      for (const f of res.fileList) if (f.tempFileURL) urls.set(f.fileID, f.tempFileURL);
    } catch (e) {
      console.error(`[org] invite 小程序码 links not made: ${(e as Error)?.message ?? String(e)}`);
    }
  }
  return withQr.map((inv) => ({
    code: inv._id,
    branchId: inv.branchId,
    branchName: inv.branchName,
    expiresAt: new Date(inv.expiresAt).toISOString(),
    maxUses: inv.maxUses,
    uses: inv.uses ?? 0,
    revoked: !!inv.revoked,
    path: invitePath(inv._id),
    qr: (inv.qrFileID && urls.get(inv.qrFileID)) || '',
    ...(inv.qrFileID ? { qrFileID: inv.qrFileID } : {}),
  }));
}

export const orgActions: ActionTable<OrgCtx> = {
  me: action({
    allow: ['guest'],
    input: orgInputs.me,
    ops: {
      count: '1–3',
      what:
        "caller; own applications (not yet a member only); the org tree's names from the instance cache " +
        "(2 reads per warm instance per 10 minutes for a district's 1,111 nodes, or 1 for a node it has not seen)",
    },
    handler: async (_in, ctx): Promise<OrgOutputs['me']> => {
      const { db, caller } = ctx;
      const { doc } = caller;
      const scopeId = caller.member?.role === 'organiser' ? caller.member.scopeId : null;
      const path = doc?.path ?? [];
      // A member can no longer apply (apply refuses them) and the app shows applications to
      // non-members only: a member's open reads nothing but their own document.
      const [apps, nodes] = await Promise.all([
        doc ? null : db.collection(C.applications).where({ openid: caller.openid }).orderBy('createdAt', 'desc').limit(20).get(),
        nodeNames.lookup(scopeId ? [...path, scopeId] : path, ctx.now.getTime(), nodeNameReader(db)),
      ]);
      const names = path.map((id) => nodes.get(id)?.name).filter((n): n is string => !!n);
      const scopeNode = scopeId ? nodes.get(scopeId) : undefined;
      return {
        scope: scopeNode ? { id: scopeNode._id, name: scopeNode.name, type: scopeNode.type } : null,
        openid: caller.openid,
        member: doc ? toMemberView(doc, caller.member, ctx.now, names[names.length - 1]) : null,
        pathNames: names,
        applications: apps ? (apps.data as StoredApplication[]).map((a) => toApplicationView(a)) : [],
      };
    },
  }),

  inviteInfo: action({
    allow: ['guest'],
    input: orgInputs.inviteInfo,
    ops: { count: '2', what: 'caller, invite' },
    handler: async (input, ctx): Promise<OrgOutputs['inviteInfo']> => {
      const inv = assertInviteUsable(await getDoc<StoredInvite>(ctx.db, C.invites, input.code), ctx.now);
      return {
        code: inv._id,
        branchId: inv.branchId,
        branchName: inv.branchName,
        pathNames: inv.pathNames ?? [inv.branchName],
        expiresAt: new Date(inv.expiresAt).toISOString(),
      };
    },
  }),

  apply: action({
    allow: ['guest'],
    input: orgInputs.apply,
    ops: {
      count: '7–12',
      what: 'caller, invite, member by phone, tx(start, application, [daily count, count set], invite, [binding, member, bind ×2], application set, invite inc, commit)',
    },
    handler: async (input, ctx): Promise<OrgOutputs['apply']> => {
      const { db, caller, now } = ctx;
      const _ = db.command;
      const openid = caller.openid;
      // no such invite: refused the way any unusable invite is
      const invite = (await getDoc<StoredInvite & { branchPath?: string[] }>(db, C.invites, input.code)) ?? assertInviteUsable(null, now);
      const branchId = invite.branchId;
      const appId = applicationId(branchId, openid);

      if (caller.member) {
        // A retry after an automatic approval lands here: answer it the same way, not as an error.
        if (caller.member.branchId === branchId) {
          const app = await getDoc<StoredApplication>(db, C.applications, appId);
          if (app && app.status === 'approved' && caller.doc) {
            return { application: toApplicationView(app), member: toMemberView(caller.doc, caller.member, now, app.branchName) };
          }
        }
        throw new AppError('ALREADY_EXISTS', '您已加入党支部，无需再次申请');
      }
      assertInviteUsable(invite, now);

      // The answer never depends on whom the phone belongs to (a member elsewhere, another WeChat):
      // such an application waits for the secretary like any other, who sees the conflict on review.
      const existing = await findByPhone(db, input.phone);
      // Pre-registered by the roster import: name and phone match, so no secretary step is needed.
      const preRegistered =
        existing && existing.branchId === branchId && existing.status === 'active' && !existing.openid && sameName(existing.name, input.name) ? existing : null;
      const day = dayOf(now);
      const limitId = applyLimitId(openid, day);

      const out = await db.runTransaction(async (tx: Db) => {
        const app = await getDoc<StoredApplication>(tx, C.applications, appId);
        if (app && app.status === 'approved') return { app, member: null as StoredMemberDoc | null };
        const counted = countsTowardApplyLimit(app, input);
        if (counted) {
          const limit = await getDoc<{ count?: number }>(tx, C.applyLimits, limitId);
          const used = limit?.count ?? 0;
          if (used >= MAX_APPLICATIONS_PER_DAY) throw new AppError('RESOURCE_EXHAUSTED', APPLY_LIMIT_MESSAGE);
          await tx.collection(C.applyLimits).doc(limitId).set({ data: { openid, day, count: used + 1, updatedAt: now } });
        }
        // the same request again (double tap, retry): answered from what is stored
        if (app && app.status === 'pending' && !counted && !preRegistered) return { app, member: null };
        const inv = assertInviteUsable(await getDoc<StoredInvite>(tx, C.invites, input.code), now);
        const firstTime = !app;
        const next: StoredApplication = {
          _id: appId,
          branchId,
          branchName: inv.branchName,
          openid,
          name: input.name,
          phone: input.phone,
          inviteCode: inv._id,
          status: 'pending',
          reason: null,
          memberId: null,
          createdAt: app?.createdAt ?? now,
          updatedAt: now,
          reviewedAt: null,
          reviewedBy: null,
        };
        let member: StoredMemberDoc | null = null;
        if (preRegistered) {
          const binding = await getDoc<{ memberId: string }>(tx, C.bindings, openid);
          if (binding && binding.memberId !== preRegistered._id) {
            throw new AppError('FAILED_PRECONDITION', '您的微信已绑定其他党员身份，请联系支部书记');
          }
          const m = await getDoc<StoredMemberDoc>(tx, C.members, preRegistered._id);
          // bound by someone else a moment ago: the application waits for the secretary instead
          if (m && (!m.openid || m.openid === openid)) {
            await tx.collection(C.bindings).doc(openid).set({ data: { memberId: m._id, boundAt: now } });
            await tx.collection(C.members).doc(m._id).update({ data: { openid, updatedAt: now } });
            member = { ...m, openid, updatedAt: now };
            Object.assign(next, { status: 'approved', memberId: m._id, reviewedAt: now, reviewedBy: 'roster' });
          }
        }
        await tx.collection(C.applications).doc(appId).set({ data: stripId(next) });
        if (firstTime || member) {
          const inc: Record<string, unknown> = {};
          if (firstTime) inc.uses = _.inc(1);
          if (member) inc.joined = _.inc(1);
          await tx.collection(C.invites).doc(inv._id).update({ data: inc });
        }
        return { app: next, member };
      });
      const memberDoc = out.member ?? (out.app.status === 'approved' && out.app.memberId ? await getDoc<StoredMemberDoc>(db, C.members, out.app.memberId) : null);
      const viewer: CallerMember | null = memberDoc
        ? { _id: memberDoc._id, name: memberDoc.name, role: memberDoc.role, status: memberDoc.status, branchId: memberDoc.branchId, path: memberDoc.path }
        : null;
      return {
        application: toApplicationView(out.app),
        member: memberDoc ? toMemberView(memberDoc, viewer, now, out.app.branchName) : null,
      };
    },
  }),

  createInvite: action({
    allow: ['secretary'],
    input: orgInputs.createInvite,
    ops: { count: '4', what: 'caller, branch, path names, insert; + wxacode.getUnlimited and one storage upload' },
    handler: async (input, ctx): Promise<OrgOutputs['createInvite']> => {
      const { db, now } = ctx;
      const sec = ctx.caller.member;
      const branch = await getNode(db, sec.branchId);
      if (!branch) throw new AppError('FAILED_PRECONDITION', '找不到您所在的党支部，请联系上级管理员');
      const names = await pathNames(db, nodeFullPath(branch));
      const code = generateInviteCode(ctx.randomBytes);
      const qrFileID = await makeInviteQr(ctx.cloud, code);
      const inv: StoredInvite & { branchPath: string[] } = {
        _id: code,
        branchId: branch._id,
        branchName: branch.name,
        branchPath: nodeFullPath(branch),
        pathNames: names,
        createdBy: sec._id,
        createdAt: now,
        expiresAt: inviteExpiry(now, input.ttlDays),
        maxUses: input.maxUses,
        uses: 0,
        joined: 0,
        revoked: false,
        ...(qrFileID ? { qrFileID } : {}),
      };
      await db.collection(C.invites).add({ data: inv });
      return (await toInviteViews(ctx, [inv]))[0];
    },
  }),

  listInvites: action({
    allow: ['secretary'],
    input: orgInputs.listInvites,
    ops: { count: '2+n', what: 'caller, invites, [n usable invites made before their 小程序码 was stored: its fileID]' },
    handler: async (_in, ctx): Promise<OrgOutputs['listInvites']> => {
      const sec = ctx.caller.member;
      const res = await ctx.db.collection(C.invites).where({ branchId: sec.branchId }).orderBy('createdAt', 'desc').limit(20).get();
      return toInviteViews(ctx, res.data as StoredInvite[]);
    },
  }),

  revokeInvite: action({
    allow: ['secretary'],
    input: orgInputs.revokeInvite,
    ops: { count: '3', what: 'caller, invite, update' },
    handler: async (input, ctx): Promise<OrgOutputs['revokeInvite']> => {
      const { db } = ctx;
      const inv = await getDoc<StoredInvite>(db, C.invites, input.code);
      if (!inv) throw new AppError('NOT_FOUND', '邀请码不存在');
      if (!isSecretaryOf(ctx.caller.member, inv.branchId)) throw new AppError('PERMISSION_DENIED', '只能撤销本支部的邀请码');
      if (!inv.revoked) await db.collection(C.invites).doc(inv._id).update({ data: { revoked: true, revokedAt: ctx.now } });
      return (await toInviteViews(ctx, [{ ...inv, revoked: true }]))[0];
    },
  }),

  listApplications: action({
    allow: ['secretary'],
    input: orgInputs.listApplications,
    ops: { count: '2–3', what: "caller, applications, [members holding the pending applications' phones]" },
    handler: async (input, ctx): Promise<OrgOutputs['listApplications']> => {
      const sec = ctx.caller.member;
      const res = await ctx.db
        .collection(C.applications)
        .where({ branchId: sec.branchId, status: input.status })
        .orderBy('createdAt', 'desc')
        .limit(100)
        .get();
      const apps = res.data as StoredApplication[];
      if (input.status !== 'pending' || apps.length === 0) return apps.map((a) => toApplicationView(a));
      // what approving would run into, so the secretary knows before tapping 同意
      const phones = [...new Set(apps.map((a) => a.phone))];
      const holders = await ctx.db.collection(C.members).where({ phone: ctx.db.command.in(phones) }).limit(phones.length).get();
      const byPhone = new Map((holders.data as StoredMemberDoc[]).map((m) => [m.phone, m]));
      return apps.map((a) => toApplicationView(a, applicationConflict(a, byPhone.get(a.phone))));
    },
  }),

  reviewApplication: action({
    allow: ['secretary'],
    input: orgInputs.reviewApplication,
    ops: {
      count: '10',
      what: 'caller, application, member by phone, tx(start, application, binding, member, member write, binding set, application set, invite inc, commit)',
      cases: { reject: { count: '3', what: 'caller, application, update' } },
    },
    handler: async (input, ctx): Promise<OrgOutputs['reviewApplication']> => {
      const { db, caller, now } = ctx;
      const _ = db.command;
      const app = await getDoc<StoredApplication>(db, C.applications, input.applicationId);
      if (!app) throw new AppError('NOT_FOUND', '申请不存在或已被撤回');
      // Checked before anything is written: another branch's secretary changes nothing.
      if (!isSecretaryOf(caller.member, app.branchId)) throw new AppError('PERMISSION_DENIED', '只有本支部的书记可以审核这份申请');

      if (input.decision === 'reject') {
        if (app.status === 'approved') throw new AppError('FAILED_PRECONDITION', '这份申请已经通过，不能再拒绝');
        if (app.status === 'rejected') return { application: toApplicationView(app), member: null };
        const patch = { status: 'rejected' as const, reason: input.reason ?? null, reviewedAt: now, reviewedBy: caller.member._id, updatedAt: now };
        await db.collection(C.applications).doc(app._id).update({ data: patch });
        return { application: toApplicationView({ ...app, ...patch }), member: null };
      }

      if (app.status === 'approved' && app.memberId) {
        const m = await getDoc<StoredMemberDoc>(db, C.members, app.memberId);
        return { application: toApplicationView(app), member: m ? toMemberView(m, caller.member, now, app.branchName) : null };
      }
      const branchPath = caller.member.path;

      // The member is found by phone (unique index), never by an id computed from it: a new member
      // gets a random id. If a concurrent approval created the member first, the insert clashes on
      // the phone index; the second attempt then finds that member and answers from it.
      const approve = async () => {
        const existing = await findByPhone(db, app.phone);
        const conflict = applicationConflict(app, existing);
        if (conflict) throw new AppError('FAILED_PRECONDITION', CONFLICT_MESSAGES[conflict]);
        const memberId = existing?._id ?? newMemberId(ctx.randomBytes);
        return db.runTransaction(async (tx: Db) => {
          const a = await getDoc<StoredApplication>(tx, C.applications, app._id);
          if (!a) throw new AppError('NOT_FOUND', '申请不存在或已被撤回');
          if (a.status === 'approved') return { app: a, member: null as StoredMemberDoc | null };
          const binding = await getDoc<{ memberId: string }>(tx, C.bindings, a.openid);
          if (binding && binding.memberId !== memberId) {
            throw new AppError('FAILED_PRECONDITION', '申请人的微信已绑定其他党员身份');
          }
          const m = await getDoc<StoredMemberDoc>(tx, C.members, memberId);
          let member: StoredMemberDoc;
          if (m) {
            if (m.openid && m.openid !== a.openid) throw new AppError('FAILED_PRECONDITION', CONFLICT_MESSAGES.bound_elsewhere);
            const patch = { openid: a.openid, status: 'active' as const, branchId: a.branchId, path: branchPath, updatedAt: now };
            await tx.collection(C.members).doc(m._id).update({ data: patch });
            member = { ...m, ...patch };
          } else {
            member = {
              _id: memberId,
              name: a.name,
              phone: a.phone,
              openid: a.openid,
              branchId: a.branchId,
              groupId: null,
              path: branchPath,
              role: 'member',
              status: 'active',
              birthYear: null,
              gender: null,
              joinedPartyOn: null,
              createdAt: now,
              updatedAt: now,
            };
            await tx.collection(C.members).doc(memberId).set({ data: stripId(member) });
          }
          await tx.collection(C.bindings).doc(a.openid).set({ data: { memberId, boundAt: now } });
          const next: StoredApplication = {
            ...a,
            status: 'approved',
            memberId,
            reason: input.reason ?? null,
            reviewedAt: now,
            reviewedBy: caller.member._id,
            updatedAt: now,
          };
          await tx.collection(C.applications).doc(a._id).set({ data: stripId(next) });
          if (a.inviteCode) await tx.collection(C.invites).doc(a.inviteCode).update({ data: { joined: _.inc(1) } });
          return { app: next, member };
        });
      };
      let out: { app: StoredApplication; member: StoredMemberDoc | null };
      try {
        out = await approve();
      } catch (e) {
        if (e instanceof AppError) throw e;
        // another approval of this application won the race: answer with what it stored
        const stored = await getDoc<StoredApplication>(db, C.applications, app._id);
        if (stored?.status === 'approved') out = { app: stored, member: null };
        else if (isDuplicateKey(e)) out = await approve();
        else throw e;
      }
      const member = out.member ?? (out.app.memberId ? await getDoc<StoredMemberDoc>(db, C.members, out.app.memberId) : null);
      return {
        application: toApplicationView(out.app),
        member: member ? toMemberView(member, caller.member, now, out.app.branchName) : null,
      };
    },
  }),

  listMembers: action({
    allow: ['member'],
    input: orgInputs.listMembers,
    ops: { count: '4', what: 'caller, branch, count, page', cases: { inSubtree: { count: '4', what: 'caller, count, page, their branches' } } },
    handler: async (input, ctx): Promise<OrgOutputs['listMembers']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      if (input.inSubtree && me.role === 'organiser' && me.scopeId && !input.branchId) {
        // 流动党员转接 across the organiser's subtree: members whose path holds the scope node
        if (!input.keyword) throw new AppError('INVALID_ARGUMENT', '请输入要查找的党员姓名');
        const query = { path: me.scopeId, status: 'active', name: db.RegExp({ regexp: escapeRegExp(input.keyword), options: 'i' }) };
        const [count, page] = await Promise.all([
          db.collection(C.members).where(query).count(),
          db.collection(C.members).where(query).orderBy('name', 'asc').skip(input.offset).limit(input.limit).get(),
        ]);
        const docs = page.data as StoredMemberDoc[];
        const branchIds = [...new Set(docs.map((m) => m.branchId).filter((b): b is string => !!b))];
        const nodes = branchIds.length
          ? ((await db.collection(C.nodes).where({ _id: db.command.in(branchIds) }).limit(branchIds.length).get()).data as { _id: string; name: string }[])
          : [];
        const nameOf = new Map(nodes.map((n) => [n._id, n.name]));
        return {
          branchId: me.scopeId,
          branchName: '',
          total: count.total,
          members: docs.map((m) => toMemberView(m, me, now, (m.branchId && nameOf.get(m.branchId)) || '')),
        };
      }
      // Everyone sees their own branch (an organiser is a member of one too); an organiser also any
      // branch below them.
      const branch = await loadBranchInScope(db, me, input.branchId, 'member');
      const branchId = branch._id;
      const query: Record<string, unknown> = { branchId, status: 'active' };
      if (input.keyword) query.name = db.RegExp({ regexp: escapeRegExp(input.keyword), options: 'i' });
      const [count, page] = await Promise.all([
        db.collection(C.members).where(query).count(),
        db.collection(C.members).where(query).orderBy('name', 'asc').skip(input.offset).limit(input.limit).get(),
      ]);
      return {
        branchId,
        branchName: branch.name,
        total: count.total,
        members: (page.data as StoredMemberDoc[]).map((m) => toMemberView(m, me, now, branch.name)),
      };
    },
  }),

  importRoster: action({
    allow: ['secretary'],
    input: orgInputs.importRoster,
    ops: {
      count: '4–5+',
      what:
        'caller, branch, groups, members by phone; real import: one batch insert, then one update per changed member ' +
        'if any changed; a concurrent import of the same people: read and plan again (≤ 3 times)',
    },
    handler: async (input, ctx): Promise<OrgOutputs['importRoster']> => {
      const { db, now } = ctx;
      const _ = db.command;
      const sec = ctx.caller.member;
      let table: string[][];
      try {
        table = await readRosterTable(input.fileName, input.contentBase64);
      } catch (e) {
        if (e instanceof SheetFileError) throw new AppError('INVALID_ARGUMENT', e.message);
        throw e;
      }
      const v = validateRoster(table, now);
      const phones = v.rows.map((r) => r.phone);
      const byPhone = () =>
        phones.length ? db.collection(C.members).where({ phone: _.in(phones) }).limit(1000).get() : Promise.resolve({ data: [] });
      const [branch, groups, firstRead] = await Promise.all([
        getNode(db, sec.branchId),
        db.collection(C.nodes).where({ parentId: sec.branchId, type: 'group' }).limit(100).get(),
        byPhone(),
      ]);
      if (!branch) throw new AppError('FAILED_PRECONDITION', '找不到您所在的党支部，请联系上级管理员');
      let existing = firstRead;
      for (let attempt = 1; ; attempt++) {
        const plan = planRosterImport({ rows: v.rows, branch, existing: existing.data, groups: groups.data, now, newId: () => newMemberId(ctx.randomBytes) });
        const errors = [...v.errors, ...plan.errors].sort((a, b) => a.row - b.row);
        const report = {
          dryRun: input.dryRun,
          total: v.total,
          created: plan.creates.length,
          updated: plan.updates.length,
          unchanged: plan.unchanged,
          errors,
        };
        // All or nothing: a file with any error writes nothing, and the counts say what did not happen.
        if (errors.length > 0) return { ...report, created: 0, updated: 0, unchanged: 0 };
        if (input.dryRun) return report;
        // New members go in one multi-document insert (a transaction allows single-document adds
        // only); changes to existing members in one transaction. Everything was validated first and
        // members are matched by phone, so if the call dies between the two, re-running the same file
        // finishes the job without duplicates. An import of the same people running at the same time
        // makes the insert clash on the phone index: read again and plan again.
        if (plan.creates.length) {
          try {
            await db.collection(C.members).add({ data: plan.creates });
          } catch (e) {
            if (!isDuplicateKey(e) || attempt >= 3) throw e;
            existing = await byPhone();
            continue;
          }
        }
        // one update per changed member, outside any transaction: each sets absolute values, so a
        // call that dies half way is finished by the same file sent again
        await writeRosterUpdates(db, plan.updates);
        return report;
      }
    },
  }),

  importRosterFile: action({
    allow: ['secretary'],
    input: orgInputs.importRosterFile,
    ops: {
      count: '3 + 1 per 500 rows (first call) + per 250 rows 1–2 + 1 per changed member',
      what:
        'caller, branch, groups; the file from storage (not DB; once per instance and file); first call: members by phone (1 per 500 rows) ' +
        'and the report file to storage when rows need changes; real import, per 250 rows: members by phone, one batch insert, one update per changed member',
    },
    handler: async (input, ctx): Promise<OrgOutputs['importRosterFile']> => {
      const startedAt = Date.now();
      const sec = ctx.caller.member;
      const [branch, groups] = await Promise.all([
        getNode(ctx.db, sec.branchId),
        ctx.db.collection(C.nodes).where({ parentId: sec.branchId, type: 'group' }).limit(100).get(),
      ]);
      if (!branch) throw new AppError('FAILED_PRECONDITION', '找不到您所在的党支部，请联系上级管理员');
      return importRosterFile(input, {
        db: ctx.db,
        now: ctx.now,
        openid: ctx.caller.openid,
        branch,
        groups: groups.data,
        storage: rosterStorage(ctx.cloud),
        randomBytes: ctx.randomBytes,
        startedAt,
      });
    },
  }),

  moveMember: action({
    allow: ['secretary', 'organiser'],
    input: orgInputs.moveMember,
    ops: { count: '8', what: 'caller, member, target, from-branch, tx(start, member, transfer, member update, commit)' },
    handler: async (input, ctx): Promise<OrgOutputs['moveMember']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const [member, target] = await Promise.all([
        getDoc<StoredMemberDoc>(db, C.members, input.memberId),
        getNode(db, input.toBranchId),
      ]);
      if (!member || member.status !== 'active') throw new AppError('NOT_FOUND', '党员不存在');
      if (!target || target.type !== 'branch') throw new AppError('NOT_FOUND', '目标党支部不存在');
      const allowed = canMoveMember(me, member);
      if (member.branchId === target._id) {
        // A retry of a move that already happened (the secretary who did it no longer manages the
        // member): answer with that move, write nothing.
        const last = await db.collection(C.transfers).where({ memberId: member._id }).orderBy('at', 'desc').limit(1).get();
        const t = last.data[0] as StoredTransfer | undefined;
        if (t && t.toBranchId === target._id && (allowed || t.byId === me._id)) return toTransferView(t);
        if (allowed) throw new AppError('FAILED_PRECONDITION', '该党员已在目标党支部');
      }
      if (!allowed) throw new AppError('PERMISSION_DENIED', '只有该党员所在支部的书记或上级管理员可以办理转接');
      const from = await getNode(db, member.branchId);
      const transfer = await db.runTransaction(async (tx: Db) => {
        const m = await getDoc<StoredMemberDoc>(tx, C.members, member._id);
        if (!m || m.branchId !== member.branchId) throw new AppError('FAILED_PRECONDITION', '该党员的组织关系刚刚发生变化，请刷新后再试');
        const seq = (m.moveCount ?? 0) + 1;
        const t: StoredTransfer = {
          _id: `${m._id}:${seq}`,
          memberId: m._id,
          fromBranchId: m.branchId,
          fromBranchName: from?.name ?? '',
          toBranchId: target._id,
          toBranchName: target.name,
          reason: input.reason,
          byId: me._id,
          byName: me.name,
          at: now,
        };
        await tx.collection(C.transfers).doc(t._id).set({ data: stripId(t) });
        await tx.collection(C.members).doc(m._id).update({
          data: {
            branchId: target._id,
            path: nodeFullPath(target),
            groupId: null,
            // a secretary moved away is no longer the old branch's secretary
            role: m.role === 'secretary' ? 'member' : m.role,
            moveCount: seq,
            updatedAt: now,
          },
        });
        return t;
      });
      return toTransferView(transfer);
    },
  }),

  memberHistory: action({
    allow: ['member'],
    input: orgInputs.memberHistory,
    ops: { count: '3', what: 'caller, member, transfers' },
    handler: async (input, ctx): Promise<OrgOutputs['memberHistory']> => {
      const { db } = ctx;
      const member = await getDoc<StoredMemberDoc>(db, C.members, input.memberId);
      if (!member) throw new AppError('NOT_FOUND', '党员不存在');
      if (!canSeeHistory(ctx.caller.member, member)) throw new AppError('PERMISSION_DENIED', '您没有权限查看该党员的转接记录');
      const res = await db.collection(C.transfers).where({ memberId: member._id }).orderBy('at', 'desc').limit(50).get();
      return (res.data as StoredTransfer[]).map(toTransferView);
    },
  }),

  children: action({
    allow: ['member'],
    input: orgInputs.children,
    ops: { count: '3–4', what: 'caller, [parent], children, one aggregate for member counts' },
    handler: async (input, ctx): Promise<OrgOutputs['children']> => {
      const { db } = ctx;
      const $ = db.command.aggregate;
      const parent = input.parentId ? await getNode(db, input.parentId) : null;
      if (input.parentId && !parent) throw new AppError('NOT_FOUND', '组织不存在');
      const nodesRes = await db.collection(C.nodes).where({ parentId: parent ? parent._id : null }).orderBy('sort', 'asc').limit(200).get();
      const nodes = nodesRes.data as OrgNode[];
      if (nodes.length === 0) return [];
      // One aggregate counts members under every child: by group inside a branch, else by the
      // child's position in the members' path.
      const agg = parent?.type === 'branch'
        ? db.collection(C.members).aggregate().match({ branchId: parent._id, status: 'active' }).group({ _id: '$groupId', n: $.sum(1) })
        : db
            .collection(C.members)
            .aggregate()
            .match(parent ? { path: parent._id, status: 'active' } : { status: 'active' })
            .group({ _id: $.arrayElemAt(['$path', parent ? parent.path.length + 1 : 0]), n: $.sum(1) });
      const counted = await agg.limit(1000).end();
      const counts = new Map<string, number>((counted.list as Array<{ _id: string; n: number }>).map((r) => [r._id, r.n]));
      return nodes.map(
        (n): OrgNodeView => ({ id: n._id, name: n.name, type: n.type, parentId: n.parentId ?? null, memberCount: counts.get(n._id) ?? 0 }),
      );
    },
  }),

  setRole: action({
    allow: ['organiser'],
    input: orgInputs.setRole,
    ops: { count: '3', what: 'caller, member, update' },
    handler: async (input, ctx): Promise<OrgOutputs['setRole']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const member = await getDoc<StoredMemberDoc>(db, C.members, input.memberId);
      if (!member || member.status !== 'active') throw new AppError('NOT_FOUND', '党员不存在');
      if (!canSetRole(me, member)) throw new AppError('PERMISSION_DENIED', '该党员不在您的管理范围内');
      if (member.role === 'organiser') throw new AppError('FAILED_PRECONDITION', '上级管理员的角色不能在这里修改');
      if (member.role !== input.role) {
        await db.collection(C.members).doc(member._id).update({ data: { role: input.role, updatedAt: now } });
      }
      return toMemberView({ ...member, role: input.role }, me, now);
    },
  }),

  migrateMemberIds: action({
    allow: ['organiser'],
    input: orgInputs.migrateMemberIds,
    ops: {
      count: '3+',
      what:
        'caller, scope node, migration state; then batches for up to 6 s: one read per batch, 1–2 writes per document holding an old id, ' +
        'a 5-op transaction per member moved, one state save per batch (docs/member-ids.md)',
    },
    handler: async (input, ctx): Promise<OrgOutputs['migrateMemberIds']> => {
      const { db } = ctx;
      const me = ctx.caller.member;
      // It rewrites every collection of the whole tree: only an organiser of the root may run it.
      const scope = await getNode(db, me.scopeId);
      if (!scope || scope.parentId !== null) {
        throw new AppError('PERMISSION_DENIED', '只有全区（组织树根节点）的上级管理员可以迁移党员编号');
      }
      return migrateMemberIdsStep(
        { db, now: ctx.now, randomBytes: ctx.randomBytes, clock: Date.now, budgetMs: MIGRATION_BUDGET_MS },
        input.limit,
      );
    },
  }),
};

export type { ApplicationView };
