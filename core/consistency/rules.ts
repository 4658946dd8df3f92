/**
 * Stored counters recomputed from the records they count (pure; no SDK). Every counter the product
 * keeps so that reads stay cheap has a record trail behind it:
 *
 *   org_members      quizDays/quizCorrect/quizAnswered, quizLastDay/quizStreak/quizBestStreak,
 *                    quizMonth/quizMonthDays     ← the member's quiz entries in points_ledger
 *                    pointsTotal, pointsDay/pointsDayTotal ← all the member's points_ledger entries
 *   study_totals     totalSec, bySource, byMonth, days, offlineDays, credits ← study_credits
 *   study_progress   creditedSec                 ← study_credits of that member and lesson
 *   study_credits    Σ seconds of a heartbeat session ≤ the wall time it ran (its credits carry the
 *                    session's start and last flushed beat); a member's overlapping sessions together
 *                    ≤ the time they cover — nothing to repair, a person decides
 *   activity_items   counts (once finalised)     ← activity_attendance of its roster
 *   org_invites      uses, joined                ← org_applications made with the code
 *
 * Not checked because no record says what they count: quizRemindQuota (grants from taps),
 * activity_items.rev (a revision number) and study_totals.lessonsCompleted (a credit does not
 * record that it completed a lesson).
 */
import { countAttendance, type StoredAttendanceLike } from '../activity/rules';
import { quizCounters, type MemberQuizFields } from '../quiz/stats';

export type CounterKind = 'member.quiz' | 'member.points' | 'study.totals' | 'study.progress' | 'study.wall' | 'activity.counts' | 'invite';

export interface Difference {
  kind: CounterKind;
  coll: string;
  id: string;
  field: string;
  expected: unknown;
  actual: unknown;
}

// ---------------------------------------------------------------- comparison

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Seconds are stored rounded to 3 decimals; a sum of rounded parts may differ in the last place. */
export function sameValue(expected: unknown, actual: unknown): boolean {
  if (isNum(expected) && isNum(actual)) return Math.abs(expected - actual) < 0.01;
  if (expected === null || expected === undefined) return actual === null || actual === undefined;
  if (typeof expected === 'object' && !Array.isArray(expected)) {
    if (!actual || typeof actual !== 'object') return false;
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    // a key missing on one side equals 0 on the other (an empty month is not a difference)
    const keys = new Set([...Object.keys(e), ...Object.keys(a)]);
    for (const k of keys) {
      const ev = e[k] ?? 0;
      const av = a[k] ?? 0;
      if (!sameValue(ev, av)) return false;
    }
    return true;
  }
  return expected === actual;
}

/** The fields of `expected` whose stored value differs. Missing numeric counters read as 0. */
export function diffFields(
  kind: CounterKind,
  coll: string,
  id: string,
  expected: Record<string, unknown>,
  stored: Record<string, unknown>,
): Difference[] {
  const out: Difference[] = [];
  for (const [field, exp] of Object.entries(expected)) {
    const raw = stored[field];
    const actual = raw === undefined && isNum(exp) ? 0 : raw ?? null;
    if (!sameValue(exp, actual)) out.push({ kind, coll, id, field, expected: exp, actual: raw ?? null });
  }
  return out;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
// a Date may come from another realm (a structured clone): recognised by its tag, not instanceof
const time = (v: unknown): number =>
  Object.prototype.toString.call(v) === '[object Date]' ? (v as Date).getTime() : typeof v === 'string' || typeof v === 'number' ? new Date(v).getTime() : 0;

// ---------------------------------------------------------------- org_members: quiz and points

export interface LedgerLike {
  _id: string;
  memberId: string;
  day: string;
  at: unknown;
  points: number;
  source: { type: string; id: string };
  quiz?: { correct?: number; total?: number };
  /** written by a batched activity close: counted once applied (see `settled`) */
  closeOf?: string | null;
}

/**
 * A batched activity close inserts its entries (and 学时 credits) first, each with `closeOf: <activity>`,
 * then changes each counter document together with the activity's id in that document's
 * `closeAwards`. Such a record counts once its counter document carries that mark, or once the
 * activity is awarded (its close finished; the mark may since have been dropped): until then the
 * counter does not include it yet, and a retry or the finalise timer will add it exactly once.
 */
export function settled(
  record: { closeOf?: string | null },
  counterDoc: Record<string, unknown> | null | undefined,
  awarded: ReadonlySet<string>,
): boolean {
  if (!record.closeOf) return true;
  if (awarded.has(record.closeOf)) return true;
  return Array.isArray(counterDoc?.closeAwards) && (counterDoc!.closeAwards as unknown[]).includes(record.closeOf);
}

export type MemberQuizExpected = Required<Pick<MemberQuizFields, 'quizDays' | 'quizCorrect' | 'quizAnswered'>> &
  Pick<MemberQuizFields, 'quizLastDay' | 'quizStreak' | 'quizBestStreak' | 'quizMonth' | 'quizMonthDays'>;

/**
 * The quiz counters, by replaying the member's quiz answers in the order they were written with the
 * same rule the submit action uses (a late answer for yesterday never winds the streak back).
 */
export function expectedQuizCounters(entries: readonly LedgerLike[]): MemberQuizExpected {
  const quiz = entries.filter((e) => e.source?.type === 'quiz').sort((a, b) => time(a.at) - time(b.at) || a.day.localeCompare(b.day));
  const m: MemberQuizFields = {};
  let quizDays = 0;
  let quizCorrect = 0;
  let quizAnswered = 0;
  for (const e of quiz) {
    Object.assign(m, quizCounters(m, e.day).set);
    quizDays += 1;
    quizCorrect += e.quiz?.correct ?? 0;
    quizAnswered += e.quiz?.total ?? 0;
  }
  if (!quiz.length) return { quizDays, quizCorrect, quizAnswered };
  return {
    quizDays,
    quizCorrect,
    quizAnswered,
    quizLastDay: m.quizLastDay,
    quizStreak: m.quizStreak,
    quizBestStreak: m.quizBestStreak,
    quizMonth: m.quizMonth,
    quizMonthDays: m.quizMonthDays,
  };
}

export interface MemberPointsExpected {
  pointsTotal: number;
  pointsDay?: string;
  pointsDayTotal?: number;
}

/** Points: the ledger's sum, and the latest day's sum (what the daily cap reads). */
export function expectedPointsCounters(entries: readonly LedgerLike[]): MemberPointsExpected {
  let total = 0;
  let day: string | undefined;
  let dayTotal = 0;
  for (const e of entries) {
    const p = isNum(e.points) ? e.points : 0;
    total += p;
    if (!day || e.day > day) {
      day = e.day;
      dayTotal = p;
    } else if (e.day === day) dayTotal += p;
  }
  return day ? { pointsTotal: total, pointsDay: day, pointsDayTotal: dayTotal } : { pointsTotal: total };
}

export function checkMember(
  member: Record<string, unknown> & { _id: string },
  all: readonly LedgerLike[],
  awarded: ReadonlySet<string> = new Set(),
): Difference[] {
  const entries = all.filter((e) => settled(e, member, awarded));
  return [
    ...diffFields('member.quiz', 'org_members', member._id, expectedQuizCounters(entries) as Record<string, unknown>, member),
    ...diffFields('member.points', 'org_members', member._id, expectedPointsCounters(entries) as unknown as Record<string, unknown>, member),
  ];
}

// ---------------------------------------------------------------- study

export interface CreditLike {
  _id: string;
  memberId: string;
  year: number;
  day: string;
  source: string;
  seconds: number;
  lessonId?: string | null;
  /** heartbeat credits: the session and the stretch it ran (start, last beat flushed) */
  session?: { id: string; startedAt: unknown; endedAt: unknown } | null;
  /** written by a batched activity close (see `settled`) */
  closeOf?: string | null;
}

export interface StudyTotalsExpected {
  totalSec: number;
  bySource: Record<string, number>;
  byMonth: Record<string, number>;
  days: Record<string, number>;
  offlineDays: Record<string, number>;
  credits: number;
}

/** One study_totals document (a member's year) from that member's credits of the year. */
export function expectedStudyTotals(credits: readonly CreditLike[]): StudyTotalsExpected {
  const t: StudyTotalsExpected = { totalSec: 0, bySource: { online: 0, live: 0, activity: 0, offline: 0 }, byMonth: {}, days: {}, offlineDays: {}, credits: 0 };
  for (const c of credits) {
    const s = isNum(c.seconds) ? c.seconds : 0;
    const month = c.day.slice(5, 7);
    t.totalSec = round3(t.totalSec + s);
    t.bySource[c.source] = round3((t.bySource[c.source] ?? 0) + s);
    t.byMonth[month] = round3((t.byMonth[month] ?? 0) + s);
    if (c.source === 'online' || c.source === 'live') t.days[c.day] = round3((t.days[c.day] ?? 0) + s);
    if (c.source === 'offline') t.offlineDays[c.day] = round3((t.offlineDays[c.day] ?? 0) + s);
    t.credits += 1;
  }
  return t;
}

export const totalsKey = (year: number, memberId: string) => `${year}:${memberId}`;
export const progressKey = (memberId: string, lessonId: string) => `${memberId}:${lessonId}`;

/**
 * Every study_totals and study_progress document of a set of members against their credits. A
 * credited year without a totals document is a difference too (expected counters, actual null).
 */
export function checkStudy(
  totals: ReadonlyArray<Record<string, unknown> & { _id: string }>,
  progress: ReadonlyArray<Record<string, unknown> & { _id: string }>,
  credits: readonly CreditLike[],
  awarded: ReadonlySet<string> = new Set(),
): Difference[] {
  const out: Difference[] = [];
  const byTotals = new Map<string, CreditLike[]>();
  const byLesson = new Map<string, number>();
  const totalsById = new Map(totals.map((t) => [t._id, t]));
  for (const c of credits) {
    const k = totalsKey(c.year ?? Number(c.day.slice(0, 4)), c.memberId);
    if (!settled(c, totalsById.get(k), awarded)) continue;
    byTotals.set(k, [...(byTotals.get(k) ?? []), c]);
    if (c.lessonId && (c.source === 'online' || c.source === 'live')) {
      const pk = progressKey(c.memberId, c.lessonId);
      byLesson.set(pk, round3((byLesson.get(pk) ?? 0) + (isNum(c.seconds) ? c.seconds : 0)));
    }
  }
  const seen = new Set<string>();
  for (const t of totals) {
    seen.add(t._id);
    out.push(...diffFields('study.totals', 'study_totals', t._id, expectedStudyTotals(byTotals.get(t._id) ?? []) as unknown as Record<string, unknown>, t));
  }
  for (const [k, list] of byTotals) {
    if (!seen.has(k)) out.push({ kind: 'study.totals', coll: 'study_totals', id: k, field: '*', expected: expectedStudyTotals(list), actual: null });
  }
  for (const p of progress) {
    out.push(...diffFields('study.progress', 'study_progress', p._id, { creditedSec: byLesson.get(p._id) ?? 0 }, p));
  }
  out.push(...checkStudyWallTime(credits));
  return out;
}

/** Rounding slack: each credit is whole milliseconds, sums are rounded to 3 decimals. */
const WALL_SLACK_SEC = 0.01;

/**
 * Heartbeat credit against wall time. A session's credits (one per flush and day) together may not
 * exceed the time from its start to its last flushed beat; a member's sessions whose stretches
 * overlap may not together exceed the time they cover. A difference names `<memberId>:<sessionId>`
 * (sessions joined by `+`); expected is the wall time, actual the credit. Credits recorded without
 * a session (other sources, or written before sessions were recorded) are not part of this check.
 */
export function checkStudyWallTime(credits: readonly CreditLike[]): Difference[] {
  type Span = { id: string; memberId: string; from: number; to: number; sec: number };
  const sessions = new Map<string, Span>();
  for (const c of credits) {
    if (!c.session?.id) continue;
    const key = `${c.memberId}:${c.session.id}`;
    const from = time(c.session.startedAt);
    const to = time(c.session.endedAt);
    const s = sessions.get(key) ?? { id: c.session.id, memberId: c.memberId, from, to, sec: 0 };
    s.from = Math.min(s.from, from);
    s.to = Math.max(s.to, to);
    s.sec = round3(s.sec + (isNum(c.seconds) ? c.seconds : 0));
    sessions.set(key, s);
  }
  const out: Difference[] = [];
  const over = (ids: string[], memberId: string, wallMs: number, sec: number) => {
    const wall = round3(Math.max(0, wallMs) / 1000);
    if (sec > wall + WALL_SLACK_SEC) out.push({ kind: 'study.wall', coll: 'study_credits', id: `${memberId}:${ids.join('+')}`, field: 'seconds', expected: wall, actual: sec });
  };
  const byMember = new Map<string, Span[]>();
  for (const s of sessions.values()) {
    over([s.id], s.memberId, s.to - s.from, s.sec);
    byMember.set(s.memberId, [...(byMember.get(s.memberId) ?? []), s]);
  }
  for (const [memberId, list] of byMember) {
    list.sort((a, b) => a.from - b.from);
    let group: Span[] = [];
    let end = -Infinity;
    const close = () => {
      if (group.length > 1) over(group.map((g) => g.id), memberId, end - group[0].from, round3(group.reduce((a, g) => a + g.sec, 0)));
    };
    for (const s of list) {
      if (s.from < end) {
        group.push(s);
        end = Math.max(end, s.to);
      } else {
        close();
        group = [s];
        end = s.to;
      }
    }
    close();
  }
  return out;
}

// ---------------------------------------------------------------- activity

export interface ActivityLike {
  _id: string;
  roster: readonly { id: string }[];
  finalisedAt?: unknown;
  counts?: Record<string, number> | null;
}

/** The counts stored when sign-in closed must still describe the attendance records. */
export function checkActivity(a: ActivityLike, records: readonly StoredAttendanceLike[]): Difference[] {
  if (!a.finalisedAt) return [];
  const expected = countAttendance(a.roster ?? [], records);
  if (!a.counts) return [{ kind: 'activity.counts', coll: 'activity_items', id: a._id, field: 'counts', expected, actual: null }];
  return sameValue(expected, a.counts) ? [] : [{ kind: 'activity.counts', coll: 'activity_items', id: a._id, field: 'counts', expected, actual: a.counts }];
}

// ---------------------------------------------------------------- invites

export interface ApplicationLike {
  _id: string;
  inviteCode?: string | null;
  status: string;
}

/** `uses`: applications made with the code; `joined`: those approved (or bound at once). */
export function checkInvite(inv: Record<string, unknown> & { _id: string }, apps: readonly ApplicationLike[]): Difference[] {
  const mine = apps.filter((a) => a.inviteCode === inv._id);
  return diffFields('invite', 'org_invites', inv._id, { uses: mine.length, joined: mine.filter((a) => a.status === 'approved').length }, inv);
}

// ---------------------------------------------------------------- repair

/**
 * The update that sets one document's differing fields to their expected values, and the match on
 * their current values that makes it conditional: if a live write moved the counter since it was
 * read, the repair does nothing and the next check decides again.
 */
export interface RepairStep {
  coll: string;
  id: string;
  set: Record<string, unknown>;
  match: Record<string, unknown>;
}

export function repairPlan(diffs: readonly Difference[]): RepairStep[] {
  const byDoc = new Map<string, RepairStep>();
  for (const d of diffs) {
    // a missing document needs the member's profile to be rebuilt, and credit above wall time is the
    // ledger itself: the report says so, a person decides
    if (d.field === '*' || d.kind === 'study.wall') continue;
    const key = `${d.coll}\u0000${d.id}`;
    const plan = byDoc.get(key) ?? { coll: d.coll, id: d.id, set: {}, match: {} };
    plan.set[d.field] = d.expected;
    // objects are matched field by field by the database: only scalars make the condition
    if (d.actual === null || typeof d.actual !== 'object') plan.match[d.field] = d.actual ?? null;
    byDoc.set(key, plan);
  }
  return [...byDoc.values()];
}

export interface BranchReport {
  branchId: string;
  differences: Difference[];
  repaired: number;
  checked: { members: number; ledger: number; totals: number; progress: number; credits: number; activities: number; attendance: number; invites: number; applications: number };
  ops: { reads: number; writes: number };
  ms: number;
}
