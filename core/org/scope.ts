import { getDoc, type Db } from '../fn/db';
import { AppError } from '../fn/errors';
import type { CallerMember } from '../fn/caller';

/**
 * Scope rules, decided from the stored caller only (never from the payload).
 * A member's `path` is the branch's ancestors root first followed by the branch id, so "is X inside
 * the subtree of node N" is "does X's path (or X itself) contain N".
 */
export function isInSubtree(path: readonly string[] | null | undefined, nodeId: string | null | undefined): boolean {
  if (!nodeId || !Array.isArray(path)) return false;
  return path.includes(nodeId);
}

/** Path of a node including the node itself. */
export function nodeFullPath(node: { _id: string; path?: string[] | null }): string[] {
  return [...(node.path ?? []), node._id];
}

const active = (c: CallerMember | null | undefined): c is CallerMember => !!c && c.status === 'active';

export function isSecretaryOf(caller: CallerMember | null | undefined, branchId: string | null | undefined): boolean {
  return active(caller) && caller.role === 'secretary' && !!branchId && caller.branchId === branchId;
}

/** An organiser whose subtree contains the node whose full path (ending with the node) is given. */
export function isOrganiserOver(caller: CallerMember | null | undefined, fullPath: readonly string[]): boolean {
  return active(caller) && caller.role === 'organiser' && isInSubtree(fullPath, caller.scopeId);
}

/** May see and manage a branch (its roster, its moves): its own secretary or an organiser above it. */
export function canManageBranch(
  caller: CallerMember | null | undefined,
  branch: { _id: string; path?: string[] | null },
): boolean {
  return isSecretaryOf(caller, branch._id) || isOrganiserOver(caller, nodeFullPath(branch));
}

/** May move a member to another branch (流动党员转接). */
export function canMoveMember(
  caller: CallerMember | null | undefined,
  member: { branchId: string | null; path: string[] },
): boolean {
  return isSecretaryOf(caller, member.branchId) || isOrganiserOver(caller, member.path);
}

/** May read a member's transfer history: the member, their secretary, an organiser over them. */
export function canSeeHistory(
  caller: CallerMember | null | undefined,
  member: { _id: string; branchId: string | null; path: string[] },
): boolean {
  if (!active(caller)) return false;
  return caller._id === member._id || canMoveMember(caller, member);
}

/** Appointing or removing a secretary is the organiser's job, never a secretary's own. */
export function canSetRole(caller: CallerMember | null | undefined, member: { path: string[] }): boolean {
  return isOrganiserOver(caller, member.path);
}

/**
 * How far a caller reaches for a branch named in a call:
 *   manage  its own secretary, or an organiser whose subtree holds it (rosters' details, ledgers,
 *           tables, joint invitations, counters)
 *   member  also any member of it (the branch's own roster)
 */
export type BranchReach = 'manage' | 'member';

export function canReachBranch(caller: CallerMember, branch: { _id: string; path?: string[] | null }, reach: BranchReach = 'manage'): boolean {
  if (reach === 'member' && active(caller) && caller.branchId === branch._id) return true;
  return canManageBranch(caller, branch);
}

export interface BranchNode {
  _id: string;
  name: string;
  type: 'branch';
  parentId: string | null;
  path: string[];
}

export const BRANCH_REFUSALS = {
  none: '请选择党支部',
  notFound: '没有找到这个党支部',
  outOfScope: '这个党支部不在您的权限范围内',
} as const;

/**
 * The branch a call is about, and the one answer to "may this caller have it" (docs/permissions.md):
 * no id means the caller's own branch; a branch outside the caller's reach is PERMISSION_DENIED.
 * Only an organiser reaches a branch other than their own, so for anyone else that refusal comes
 * before any read and says nothing of whether the id exists; an id that could be in reach but names
 * no branch is NOT_FOUND. One read of org_nodes, none when refused early.
 */
export async function loadBranchInScope(
  db: Db,
  caller: CallerMember,
  branchId: string | null | undefined,
  reach: BranchReach = 'manage',
): Promise<BranchNode> {
  const id = branchId ?? caller.branchId;
  if (!id) throw new AppError('INVALID_ARGUMENT', BRANCH_REFUSALS.none);
  if (id !== caller.branchId && caller.role !== 'organiser') throw new AppError('PERMISSION_DENIED', BRANCH_REFUSALS.outOfScope);
  const node = await getDoc<{ _id: string; name: string; type: string; parentId?: string | null; path?: string[] | null }>(db, 'org_nodes', id);
  if (!node || node.type !== 'branch') throw new AppError('NOT_FOUND', BRANCH_REFUSALS.notFound);
  const branch: BranchNode = { ...node, type: 'branch', parentId: node.parentId ?? null, path: node.path ?? [] };
  if (!canReachBranch(caller, branch, reach)) throw new AppError('PERMISSION_DENIED', BRANCH_REFUSALS.outOfScope);
  return branch;
}
