import type { CallerMember } from '../fn/router';

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
