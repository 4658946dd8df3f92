import type { CallerMember } from '../fn/router';

/** 13812345678 → 138****5678; anything that is not an 11-digit number is hidden entirely. */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return '';
  const p = String(phone);
  if (!/^\d{11}$/.test(p)) return '*'.repeat(Math.min(p.length, 11));
  return `${p.slice(0, 3)}****${p.slice(7)}`;
}

/**
 * A phone number is personal detail an organiser does not need: only the member themselves and the
 * secretary of the member's own branch see it in full.
 */
export function canSeePhone(
  viewer: CallerMember | null | undefined,
  target: { _id: string; branchId: string | null | undefined },
): boolean {
  if (!viewer || viewer.status !== 'active') return false;
  if (viewer._id === target._id) return true;
  return viewer.role === 'secretary' && !!viewer.branchId && viewer.branchId === target.branchId;
}

export function phoneFor(
  viewer: CallerMember | null | undefined,
  target: { _id: string; branchId: string | null | undefined; phone: string },
): string {
  return canSeePhone(viewer, target) ? target.phone : maskPhone(target.phone);
}
