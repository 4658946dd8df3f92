/**
 * The rules of `save` (create or edit a notice): what an edit may still change, who may take part
 * (the host branch, one of its 党小组, or 联建 branches of the same community) and when an edited
 * window is too late. Pure: the function reads the activity and the branch nodes, then asks here.
 */
import { AppError } from '../fn/errors';

/** The part of a stored activity an edit is checked against. */
export interface SavedActivity {
  status: 'draft' | 'published' | 'cancelled';
  finalisedAt?: Date | string | null;
  groupId: string | null;
  jointBranchIds: readonly string[];
}

export interface SaveRequest {
  /** the saving secretary's branch (the host) */
  hostBranchId: string;
  /** the activity being edited, or null for a new one */
  existing: SavedActivity | null;
  changeNote?: string;
  groupId: string | null;
  jointBranchIds: readonly string[];
}

export interface SavePlan {
  /** an edit of a published notice: it keeps its scope, bumps its revision and tells members */
  published: boolean;
  /** the 联建 branches invited: each once, never the host itself */
  joint: string[];
  /** the nodes to look up before saving: the 联建 branches and the 党小组 */
  needed: string[];
}

const sameSet = (a: readonly string[], b: readonly string[]) => [...a].sort().join() === [...b].sort().join();

/**
 * What an edit may change and which scope is asked for, checked before any node is read: a
 * cancelled or closed activity is not edited, a published one only with a change note and with
 * its scope (党小组, 联建 branches) unchanged, and a 党小组会 invites no 联建 branch.
 */
export function planSave(r: SaveRequest): SavePlan {
  const { existing } = r;
  if (existing?.status === 'cancelled') throw new AppError('FAILED_PRECONDITION', '活动已取消，不能再修改');
  if (existing?.finalisedAt) throw new AppError('FAILED_PRECONDITION', '活动签到已结束，不能再修改通知');
  const published = existing?.status === 'published';
  if (published && !r.changeNote) {
    throw new AppError('INVALID_ARGUMENT', '修改已发布的通知，请填写变更说明，党员会看到', { issues: [{ path: 'changeNote', message: '请填写变更说明' }] });
  }
  if (published && (r.groupId !== existing.groupId || !sameSet(r.jointBranchIds, existing.jointBranchIds))) {
    throw new AppError('FAILED_PRECONDITION', '已发布的活动不能更改参加范围，请取消后重新发布');
  }
  const joint = [...new Set(r.jointBranchIds.filter((b) => b !== r.hostBranchId))];
  if (joint.length && r.groupId) {
    throw new AppError('INVALID_ARGUMENT', '党小组会只面向本支部的一个党小组，不能邀请联建支部', { issues: [{ path: 'jointBranchIds', message: '党小组会不能邀请联建支部' }] });
  }
  return { published, joint, needed: [...joint, ...(r.groupId ? [r.groupId] : [])] };
}

export interface ScopeNode {
  _id: string;
  name: string;
  type: string;
  parentId: string | null;
}

/**
 * Checks the nodes read for the scope: every 联建 branch is a branch under the host's parent (the
 * same community), the 党小组 is one of the host's. Returns each 联建 branch with its name.
 */
export function checkScopeNodes(
  o: { hostBranchId: string; hostPath: readonly string[]; joint: readonly string[]; groupId: string | null },
  nodes: readonly ScopeNode[],
): { id: string; name: string }[] {
  const byId = new Map(nodes.map((n) => [n._id, n]));
  // the host's path ends with the host: its parent is the one before
  const parentId = o.hostPath[o.hostPath.length - 2] ?? null;
  for (const b of o.joint) {
    const n = byId.get(b);
    if (!n || n.type !== 'branch' || !parentId || n.parentId !== parentId) {
      throw new AppError('INVALID_ARGUMENT', '联建支部只能选择同一社区（上级党组织）下的党支部');
    }
  }
  if (o.groupId) {
    const g = byId.get(o.groupId);
    if (!g || g.type !== 'group' || g.parentId !== o.hostBranchId) throw new AppError('INVALID_ARGUMENT', '请选择本支部的党小组');
  }
  return o.joint.map((b) => ({ id: b, name: byId.get(b)?.name ?? '' }));
}

/** An edit of a published notice may not move its sign-in window into the past. */
export function assertEditedWindowOpen(published: boolean, signInCloseAt: Date, now: Date): void {
  if (published && signInCloseAt.getTime() <= now.getTime()) throw new AppError('INVALID_ARGUMENT', '改后的签到时间已过，请检查开始时间');
}
