/** Report maths for study: a member's progress and a branch's table, from counters only. Pure. */
import { yearOf } from '../day';
import type { BranchRow, LiveInfo, ProgressView } from './contracts';
import type { TotalsDoc } from './credit';
import type { SessionDoc } from './heartbeat';
import { isCadre, resolveTarget, toStudyHours, type StudyRules, type TargetDoc, type StudySource } from './rules';

const SOURCES: StudySource[] = ['online', 'live', 'activity', 'offline'];

export function buildProgress(
  year: number,
  totals: TotalsDoc | null,
  session: Pick<SessionDoc, 'active' | 'pending' | 'source'> | null,
  member: { path: string[]; role?: string; committee?: boolean },
  targets: TargetDoc[],
  rules: StudyRules,
): ProgressView {
  const bySec: Record<StudySource, number> = { online: 0, live: 0, activity: 0, offline: 0, ...(totals?.bySource ?? {}) };
  const monthSec: number[] = Array.from({ length: 12 }, (_, i) => totals?.byMonth?.[String(i + 1).padStart(2, '0')] ?? 0);
  let pendingSec = 0;
  // the open session's time is the member's too, even before it reaches the ledger; a closed one's
  // leftover pending (from before stops flushed it) is never credited, so it is not shown either
  if (session?.active && session.pending) {
    for (const [day, sec] of Object.entries(session.pending)) {
      if (Number(day.slice(0, 4)) !== year || !(sec > 0)) continue;
      pendingSec += sec;
      bySec[session.source] += sec;
      monthSec[Number(day.slice(5, 7)) - 1] += sec;
    }
  }
  const total = (totals?.totalSec ?? 0) + pendingSec;
  const target = resolveTarget(member.path, year, targets);
  const cadre = isCadre(member);
  const targetHours = cadre ? target.cadre : target.member;
  const hours = toStudyHours(total, rules);
  return {
    year,
    targetHours,
    cadre,
    hours,
    ratio: targetHours > 0 ? Math.min(1, hours / targetHours) : 1,
    bySource: Object.fromEntries(SOURCES.map((s) => [s, toStudyHours(bySec[s], rules)])) as Record<StudySource, number>,
    byMonth: monthSec.map((s) => toStudyHours(s, rules)),
    lessonsCompleted: totals?.lessonsCompleted ?? 0,
    minutesPerHour: rules.minutesPerHour,
    pendingSec,
  };
}

export interface RosterMember {
  _id: string;
  name: string;
  role?: string;
  committee?: boolean;
  path: string[];
  openid?: string | null;
  birthYear?: number | null;
}

/**
 * One row per member of the branch — those with no study at all included (不漏一人) — sorted by
 * who is furthest behind their target, then by name. Age only with `withAge`: the branch's own
 * secretary needs it for 关怀模式 suggestions; an organiser over the branch does not.
 */
export function buildBranchRows(
  members: RosterMember[],
  totals: TotalsDoc[],
  year: number,
  targets: TargetDoc[],
  rules: StudyRules,
  now: Date,
  withAge: boolean,
): BranchRow[] {
  const byMember = new Map(totals.map((t) => [t.memberId, t]));
  const rows = members.map((m): BranchRow => {
    const t = byMember.get(m._id);
    const target = resolveTarget(m.path, year, targets);
    const targetHours = isCadre(m) ? target.cadre : target.member;
    const hours = toStudyHours(t?.totalSec ?? 0, rules);
    const row: BranchRow = {
      memberId: m._id,
      name: m.name,
      role: m.role ?? 'member',
      hours,
      targetHours,
      behind: Math.max(0, Math.round((targetHours - hours) * 100) / 100),
      bySource: Object.fromEntries(SOURCES.map((s) => [s, toStudyHours(t?.bySource?.[s] ?? 0, rules)])) as Record<StudySource, number>,
      bound: !!m.openid,
    };
    if (withAge && typeof m.birthYear === 'number') row.age = yearOf(now) - m.birthYear;
    return row;
  });
  return rows.sort((a, b) => b.behind - a.behind || a.hours - b.hours || a.name.localeCompare(b.name, 'zh'));
}

/** How early before a live lesson members may enter the room (credit still starts at the start). */
export const LIVE_ENTER_EARLY_MS = 15 * 60 * 1000;

export function liveState(startsAt: Date, endsAt: Date, now: Date): LiveInfo['state'] {
  if (now.getTime() < startsAt.getTime()) return 'upcoming';
  if (now.getTime() < endsAt.getTime()) return 'live';
  return 'ended';
}
