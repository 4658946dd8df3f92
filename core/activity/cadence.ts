/**
 * The cadence each branch owes (三会一课): how many of each kind of meeting per month or quarter,
 * the periods in China time, what a branch has held (counters written when a meeting's minutes are
 * first saved) and where it stands: on track, due soon, missed. Pure: no SDK, unit-tested.
 *
 * Only a meeting held with its minutes counts. The counters are one document per branch per month
 * (`activity_cadence`, `${branchId}:${YYYY-MM}`), so every view reads at most three of them per
 * branch (a quarter) whatever the history.
 */
import { z } from 'zod';
import '../fn/zod-messages';
import { AppError } from '../fn/errors';
import { addDays, dayOf, formatChina, startOfDay } from '../day';
import { ACTIVITY_TYPES, type ActivityType } from './rules';

/** The kinds of meeting a branch owes, and per what. */
export const CADENCE_KINDS = ['branch_meeting', 'committee', 'group_meeting', 'lesson', 'theme_day'] as const;
export type CadenceKind = (typeof CADENCE_KINDS)[number];
export type CadenceUnit = 'month' | 'quarter';

export const CADENCE_UNIT: Record<CadenceKind, CadenceUnit> = {
  branch_meeting: 'quarter',
  committee: 'month',
  group_meeting: 'month',
  lesson: 'quarter',
  theme_day: 'month',
};

/** The party's own rule (中国共产党支部工作条例): the floor every level may only raise. */
export const BASE_CADENCE: Record<CadenceKind, number> = {
  branch_meeting: 1,
  committee: 1,
  group_meeting: 1,
  lesson: 1,
  theme_day: 1,
};

/** A meeting is "due soon" this many days before its period ends; the reminder goes out then. */
export const DUE_SOON_DAYS = 7;

export const isCadenceKind = (t: ActivityType | string): t is CadenceKind => (CADENCE_KINDS as readonly string[]).includes(t);

export type CadenceMinimums = Record<CadenceKind, number>;

/** One org node's setting (activity_org_rules): only the kinds it tightens. */
export type CadenceSetting = Partial<CadenceMinimums>;

/**
 * The minimums for a branch: the party's floor raised by every level above it (district first), never
 * lowered. `settings` in any order; a kind left out by a level keeps what is above it.
 */
export function effectiveCadence(settings: readonly (CadenceSetting | null | undefined)[]): CadenceMinimums {
  const out = { ...BASE_CADENCE };
  for (const s of settings) {
    if (!s) continue;
    for (const k of CADENCE_KINDS) {
      const v = s[k];
      if (typeof v === 'number' && v > out[k]) out[k] = v;
    }
  }
  return out;
}

/** Refuses a setting that would loosen what the levels above require (a street may tighten, never loosen). */
export function assertTightens(setting: CadenceSetting, above: CadenceMinimums): void {
  for (const k of CADENCE_KINDS) {
    const v = setting[k];
    if (typeof v === 'number' && v < above[k]) {
      throw new AppError('FAILED_PRECONDITION', `${ACTIVITY_TYPES[k]}不能少于上级要求的每${CADENCE_UNIT[k] === 'month' ? '月' : '季度'} ${above[k]} 次`);
    }
  }
}

// ---------------------------------------------------------------- periods (China time)

/** `YYYY-MM` of an instant in China time. */
export const monthOf = (at: Date | string | number): string => formatChina(at, 'YYYY-MM');

/** `YYYY-Qn` of a month. */
export function quarterOf(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
}

/** The three months of a quarter (`YYYY-Qn`). */
export function quarterMonths(quarter: string): string[] {
  const [y, q] = quarter.split('-Q').map(Number);
  return [0, 1, 2].map((i) => `${y}-${String((q - 1) * 3 + i + 1).padStart(2, '0')}`);
}

/** The month after `YYYY-MM`. */
export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** The month `n` months before `YYYY-MM`. */
export function monthsBefore(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const t = y * 12 + (m - 1) - n;
  return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
}

export interface PeriodBounds {
  key: string;
  unit: CadenceUnit;
  /** first day, last day (China time, inclusive) */
  from: string;
  to: string;
  /** 00:00 of the day after `to` */
  end: Date;
}

export function monthBounds(month: string): PeriodBounds {
  const from = `${month}-01`;
  const to = addDays(`${nextMonth(month)}-01`, -1);
  return { key: month, unit: 'month', from, to, end: startOfDay(`${nextMonth(month)}-01`) };
}

export function quarterBounds(quarter: string): PeriodBounds {
  const months = quarterMonths(quarter);
  const last = monthBounds(months[2]);
  return { key: quarter, unit: 'quarter', from: `${months[0]}-01`, to: last.to, end: last.end };
}

/** Whole days left in a period at `now` (the day of `now` counts; 0 once it is over). */
export function daysLeft(p: PeriodBounds, now: Date): number {
  if (now.getTime() >= p.end.getTime()) return 0;
  const today = dayOf(now);
  return Math.round((startOfDay(addDays(p.to, 1)).getTime() - startOfDay(today).getTime()) / 86_400_000);
}

// ---------------------------------------------------------------- counters

/** The counter of one branch for one month (`activity_cadence`). */
export type StoredCadenceCounter = {
  _id: string;
  branchId: string;
  /** the branch's full path (root first, the branch last): an organiser reads the subtree's counters */
  path: string[];
  month: string;
  quarter: string;
  counts: Record<CadenceKind, number>;
  /** 党小组 that held a 党小组会 this month (`branch` for one held by the branch as a whole) */
  groups: string[];
  /** the activities counted: a retry never counts one twice */
  activityIds: string[];
  updatedAt: Date | string;
};

export const counterId = (branchId: string, month: string) => `${branchId}:${month}`;

export const emptyCounts = (): Record<CadenceKind, number> => ({ branch_meeting: 0, committee: 0, group_meeting: 0, lesson: 0, theme_day: 0 });

export function newCounter(branch: { _id: string; path: readonly string[] }, month: string, now: Date): StoredCadenceCounter {
  return {
    _id: counterId(branch._id, month),
    branchId: branch._id,
    path: [...branch.path, branch._id],
    month,
    quarter: quarterOf(month),
    counts: emptyCounts(),
    groups: [],
    activityIds: [],
    updatedAt: now,
  };
}

/**
 * The counter after one held meeting with minutes: unchanged when that activity was counted already
 * (a retry, a second save) or is not a kind the cadence counts.
 */
export function countMeeting(
  c: StoredCadenceCounter,
  a: { _id: string; type: ActivityType; groupId?: string | null },
  now: Date,
): { next: StoredCadenceCounter; changed: boolean } {
  if (!isCadenceKind(a.type) || c.activityIds.includes(a._id)) return { next: c, changed: false };
  const next: StoredCadenceCounter = {
    ...c,
    counts: { ...c.counts, [a.type]: (c.counts[a.type] ?? 0) + 1 },
    activityIds: [...c.activityIds, a._id],
    updatedAt: now,
  };
  if (a.type === 'group_meeting') {
    const g = a.groupId ?? 'branch';
    if (!next.groups.includes(g)) next.groups = [...next.groups, g];
  }
  return { next, changed: true };
}

// ---------------------------------------------------------------- where a branch stands

export type CadenceStatus = 'on_track' | 'due_soon' | 'missed';
export const CADENCE_STATUS_LABEL: Record<CadenceStatus, string> = { on_track: '正常', due_soon: '即将到期', missed: '未按期召开' };

export interface CadenceLine {
  kind: CadenceKind;
  label: string;
  unit: CadenceUnit;
  /** 已开 */
  held: number;
  /** 应开 */
  owed: number;
  /** still to hold in this period */
  due: number;
  /** the last day of the period (China time) */
  by: string;
  status: CadenceStatus;
  /** for 党小组会: which 党小组 have not met yet (names) */
  groupsDue?: string[];
}

export interface PeriodStanding {
  key: string;
  unit: CadenceUnit;
  from: string;
  to: string;
  daysLeft: number;
  held: number;
  owed: number;
  status: CadenceStatus;
  lines: CadenceLine[];
}

export interface BranchGroups {
  /** the branch's 党小组 (org_nodes of type group); none means the branch meets as one group */
  groups: readonly { id: string; name: string }[];
}

const worst = (a: CadenceStatus, b: CadenceStatus): CadenceStatus => (a === 'missed' || b === 'missed' ? 'missed' : a === 'due_soon' || b === 'due_soon' ? 'due_soon' : 'on_track');

function statusOf(due: number, left: number): CadenceStatus {
  if (due <= 0) return 'on_track';
  if (left <= 0) return 'missed';
  return left <= DUE_SOON_DAYS ? 'due_soon' : 'on_track';
}

/**
 * One line of a period: held and owed for one kind. 党小组会 is owed per 党小组: each group that
 * has not met leaves one due (a meeting of the whole branch covers one group); a branch without
 * 党小组 owes one, as one group.
 */
function line(kind: CadenceKind, months: readonly Pick<StoredCadenceCounter, 'counts' | 'groups'>[], min: number, g: BranchGroups, p: PeriodBounds, left: number): CadenceLine {
  const held = months.reduce((s, c) => s + (c.counts[kind] ?? 0), 0);
  let owed = min;
  let due = Math.max(0, owed - held);
  let groupsDue: string[] | undefined;
  if (kind === 'group_meeting' && g.groups.length) {
    owed = min * g.groups.length;
    const met = new Set(months.flatMap((c) => c.groups));
    const wholeBranch = months.reduce((s, c) => s + (c.groups.includes('branch') ? 1 : 0), 0);
    // which groups met is kept per month (not how often): with a minimum above 1 the total decides the rest
    const missing = g.groups.filter((x) => !met.has(x.id));
    const uncovered = Math.max(0, missing.length - wholeBranch);
    due = Math.max(uncovered, owed - held, 0);
    groupsDue = missing.slice(0, uncovered).map((x) => x.name);
  }
  return { kind, label: ACTIVITY_TYPES[kind], unit: p.unit, held, owed, due, by: p.to, status: statusOf(due, left), ...(groupsDue ? { groupsDue } : {}) };
}

/**
 * Where a branch stands for a month and for its quarter: monthly kinds in the month; quarterly
 * kinds in the quarter (the quarter also sums the monthly kinds of its months). `counters` are the
 * branch's documents of the quarter's months (missing months mean nothing held).
 */
export function standing(
  month: string,
  counters: readonly Pick<StoredCadenceCounter, 'month' | 'counts' | 'groups'>[],
  min: CadenceMinimums,
  g: BranchGroups,
  now: Date,
): { month: PeriodStanding; quarter: PeriodStanding } {
  const quarter = quarterOf(month);
  const mb = monthBounds(month);
  const qb = quarterBounds(quarter);
  const inMonth = counters.filter((c) => c.month === month);
  const inQuarter = counters.filter((c) => quarterOf(c.month) === quarter);
  const mLeft = daysLeft(mb, now);
  const qLeft = daysLeft(qb, now);
  const monthLines = CADENCE_KINDS.filter((k) => CADENCE_UNIT[k] === 'month').map((k) => line(k, inMonth, min[k], g, mb, mLeft));
  // a quarter owes its quarterly kinds, and each of its months' monthly kinds (3 months × the minimum)
  const qMonths = quarterMonths(quarter);
  const quarterLines = CADENCE_KINDS.map((k) => {
    if (CADENCE_UNIT[k] === 'quarter') return line(k, inQuarter, min[k], g, qb, qLeft);
    const per = qMonths.map((m) => line(k, inQuarter.filter((c) => c.month === m), min[k], g, m === month ? mb : monthBounds(m), daysLeft(monthBounds(m), now)));
    // months not begun yet owe nothing so far; they are shown as owed in the quarter's 应开
    const status = per.reduce<CadenceStatus>((s, l, i) => (qMonths[i] > month ? s : worst(s, l.status)), 'on_track');
    const sum = (f: 'held' | 'owed' | 'due') => per.reduce((s, l) => s + l[f], 0);
    return { kind: k, label: ACTIVITY_TYPES[k], unit: 'quarter' as const, held: sum('held'), owed: sum('owed'), due: sum('due'), by: qb.to, status };
  });
  const sum = (lines: CadenceLine[], p: PeriodBounds, left: number): PeriodStanding => ({
    key: p.key,
    unit: p.unit,
    from: p.from,
    to: p.to,
    daysLeft: left,
    held: lines.reduce((s, l) => s + Math.min(l.held, l.owed), 0),
    owed: lines.reduce((s, l) => s + l.owed, 0),
    status: lines.reduce<CadenceStatus>((s, l) => worst(s, l.status), 'on_track'),
    lines,
  });
  return { month: sum(monthLines, mb, mLeft), quarter: sum(quarterLines, qb, qLeft) };
}

/** The kinds still due in a period, for a reminder line (≤ 20 characters, as WeChat wants a `thing`). */
export function dueSummary(p: PeriodStanding): string {
  const names = p.lines.filter((l) => l.due > 0).map((l) => l.label);
  const text = names.join('、');
  return text.length > 20 ? `${text.slice(0, 19)}…` : text;
}

// ---------------------------------------------------------------- contracts

const id = z.string({ required_error: '缺少编号' }).trim().min(1, '缺少编号').max(64, '编号过长');
const times = z.number().int().min(1, '每期至少 1 次').max(10, '每期最多 10 次');
const monthKey = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM');

export const cadenceInputs = {
  /** a branch's month and quarter (the caller's own; organisers name one in their subtree) */
  cadence: z.object({ branchId: id.optional(), month: monthKey.optional() }).strict(),
  /** every branch of the organiser's subtree (or of a node in it) for a month and its quarter */
  cadenceOverview: z.object({ nodeId: id.optional(), month: monthKey.optional() }).strict(),
  /** the organiser tightens the cadence for their node (or one in their subtree) */
  setCadence: z
    .object({
      nodeId: id.optional(),
      minimums: z
        .object(Object.fromEntries(CADENCE_KINDS.map((k) => [k, times.optional()])) as Record<CadenceKind, z.ZodOptional<z.ZodNumber>>)
        .strict(),
    })
    .strict(),
  /** the organiser's 台账 of every branch under a node (their scope by default), one workbook */
  exportSubtreeLedger: z
    .object({ nodeId: id.optional(), from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD'), to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD') })
    .strict()
    .refine((v) => v.from <= v.to, { message: '开始日期应早于结束日期', path: ['to'] }),
  /** the secretary allows one 待开会议提醒 (after wx.requestSubscribeMessage) */
  cadenceSubscribe: z.object({}).strict(),
};

export interface CadenceOutputs {
  cadence: {
    branchId: string;
    branchName: string;
    month: PeriodStanding;
    quarter: PeriodStanding;
    minimums: CadenceMinimums;
    /** the branch has no 党小组 in the data: 党小组会 is owed once, by the branch as one group */
    noGroups: boolean;
    /** meetings held (begun) in the last 90 days without minutes: 待补记录 */
    pendingMinutes: { id: string; type: ActivityType; typeLabel: string; title: string; startAt: string }[];
    /** a 待开会议提醒 allowed and not yet sent */
    subscribed: boolean;
  };
  cadenceOverview: {
    nodeId: string;
    nodeName: string;
    month: string;
    quarter: string;
    rows: {
      branchId: string;
      branchName: string;
      /** the names of the levels between the node and the branch */
      parentName: string;
      month: { status: CadenceStatus; held: number; owed: number; dueKinds: string[] };
      quarter: { status: CadenceStatus; held: number; owed: number; dueKinds: string[] };
      noGroups: boolean;
    }[];
    totals: Record<'month' | 'quarter', Record<CadenceStatus, number>>;
    minimums: CadenceMinimums;
  };
  setCadence: { nodeId: string; minimums: CadenceMinimums };
  cadenceSubscribe: { subscribed: true };
  exportSubtreeLedger: { fileName: string; fileID: string; url: string; bytes: number; branches: number; activities: number; minutes: number; rows: number };
}

/** One row of the 台账's cadence sheet: one kind in one period. */
export interface CadenceLedgerRow {
  period: string;
  unit: CadenceUnit;
  kind: CadenceKind;
  label: string;
  held: number;
  owed: number;
  status: CadenceStatus;
}

/** The months `YYYY-MM` from the month of `from` to the month of `to` (days `YYYY-MM-DD`). */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from.slice(0, 7); m <= to.slice(0, 7) && out.length < 240; m = nextMonth(m)) out.push(m);
  return out;
}

/**
 * The cadence of a branch per period over [from, to]: each month's monthly kinds, each quarter's
 * quarterly kinds (quarters the range touches), as the 台账 lists them. Periods not yet over show
 * where they stand now.
 */
export function cadenceRows(
  from: string,
  to: string,
  counters: readonly Pick<StoredCadenceCounter, 'month' | 'counts' | 'groups'>[],
  min: CadenceMinimums,
  g: BranchGroups,
  now: Date,
): CadenceLedgerRow[] {
  const rows: CadenceLedgerRow[] = [];
  const current = monthOf(now);
  const months = monthsBetween(from, to).filter((m) => m <= current);
  const seenQuarters = new Set<string>();
  for (const m of months) {
    const s = standing(m, counters, min, g, now);
    for (const l of s.month.lines) rows.push({ period: m, unit: 'month', kind: l.kind, label: l.label, held: l.held, owed: l.owed, status: l.status });
    const q = quarterOf(m);
    const lastOfQuarter = quarterMonths(q)[2];
    if (!seenQuarters.has(q) && (m === lastOfQuarter || m === months[months.length - 1])) {
      seenQuarters.add(q);
      for (const l of s.quarter.lines.filter((x) => CADENCE_UNIT[x.kind] === 'quarter')) {
        rows.push({ period: q, unit: 'quarter', kind: l.kind, label: l.label, held: l.held, owed: l.owed, status: l.status });
      }
    }
  }
  return rows;
}
