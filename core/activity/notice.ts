/**
 * What a member's notice list shows: which activities they see, which notices are unread, and the
 * badge on the home card. Pure: the function reads the activities, records and read receipts.
 */
import type { Phase } from './rules';

/** A 党小组会 is shown only to the members of its roster; every other notice to the whole branch. */
export function visibleToMember(a: { groupId: string | null; roster: readonly { id: string }[] }, memberId: string): boolean {
  return !a.groupId || a.roster.some((m) => m.id === memberId);
}

/** Unread: never opened, or changed (a higher revision) since the member last opened it. */
export function isUnread(a: { status: string; rev: number }, readRev: number | undefined): boolean {
  return a.status !== 'draft' && (readRev ?? 0) < a.rev;
}

export interface BadgeItem {
  status: string;
  phase: Phase;
  unread: boolean;
  required: boolean;
  /** the member's own record, if any */
  mine: unknown;
}

/**
 * The number on the home card: published notices not yet closed that are unread, or whose sign-in
 * is open for a required member who has no record yet.
 */
export function noticeBadge(items: readonly BadgeItem[]): number {
  return items.filter((i) => i.status === 'published' && i.phase !== 'closed' && (i.unread || (i.phase === 'signin' && i.required && !i.mine))).length;
}
