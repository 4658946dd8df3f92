/**
 * 组织与党员 (org & membership): the org tree, invites, applications, roster import, 流动党员转接.
 *
 * Database operations per call (each SDK request counts one; a transaction's start and commit count
 * too). Every call first loads the caller: 1 read (org_members by openid).
 *
 * | action            | ops | what                                                                      |
 * |-------------------|-----|---------------------------------------------------------------------------|
 * | me                | 2–3 | caller, own applications, path names (members only)                        |
 * | inviteInfo        | 2   | caller, invite                                                             |
 * | apply             | 7–12| caller, invite, member by phone, tx(start, application, [daily count,     |
 * |                   |     |  count set], invite, [binding, member, bind ×2], application set,         |
 * |                   |     |  invite inc, commit)                                                       |
 * | createInvite      | 4   | caller, branch, path names, insert                                         |
 * | listInvites       | 2   | caller, invites                                                            |
 * | revokeInvite      | 3   | caller, invite, update                                                     |
 * | listApplications  | 2–3 | caller, applications, [members holding the pending applications' phones]  |
 * | reviewApplication | 10  | caller, application, member by phone, tx(start, application, binding,      |
 * |                   |     |  member, member write, binding set, application set, invite inc, commit)   |
 * |  (reject)         | 3   | caller, application, update                                                |
 * | listMembers       | 4   | caller, branch, count, page                                                |
 * | importRoster      | 4–7+| caller, branch, groups, members by phone; real import: one batch insert,   |
 * |                   |     |  then tx(start, one update per changed member, commit) if any changed;    |
 * |                   |     |  a concurrent import of the same people: read and plan again (≤ 3 times)  |
 * | moveMember        | 8   | caller, member, target, from-branch, tx(start, member, transfer, member    |
 * |                   |     |  update, commit)                                                           |
 * | memberHistory     | 3   | caller, member, transfers                                                  |
 * | children          | 3–4 | caller, [parent], children, one aggregate for member counts                |
 * | setRole           | 3   | caller, member, update                                                     |
 * | migrateMemberIds  | 3+  | caller, scope node, migration state; then batches for up to 6 s: one read  |
 * |                   |     |  per batch, 1–2 writes per document holding an old id, a 5-op transaction  |
 * |                   |     |  per member moved, one state save per batch (docs/member-ids.md)          |
 */
import crypto from 'crypto';
import { runAction, type FunctionEvent } from '../../core/fn/router';
import { callerLoader } from '../../core/fn/caller';
import { orgActions, type OrgCtx } from './actions';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
// A missing document reads as `data: null` instead of throwing: "not found" is an answer here.
const db = cloud.database({ throwOnNotFound: false });

export const main = async (event: FunctionEvent, _context: unknown) => {
  const { OPENID } = cloud.getWXContext();
  const ctx: OrgCtx = {
    db,
    now: new Date(),
    randomBytes: (n) => crypto.randomBytes(n),
    callerDoc: { doc: null },
  };
  return runAction(
    orgActions,
    event,
    OPENID ?? '',
    callerLoader(db, ctx.callerDoc),
    ctx,
  );
};
