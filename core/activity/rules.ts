/**
 * The rules of branch activity days (组织生活): sign-in windows, who may sign in or ask for leave
 * and when, the geofence, which members are marked absent when the window closes, attendance
 * summaries and rates. Pure: no SDK, unit-tested; the `activity` function only reads and writes.
 */
import { addDays, formatChina, startOfDay } from '../day';
import { AppError } from '../fn/errors';

/** 三会一课 and the other kinds of 组织生活; the keys are stored, the labels are shown and exported. */
export const ACTIVITY_TYPES = {
  theme_day: '主题党日',
  branch_meeting: '支部党员大会',
  committee: '支委会',
  group_meeting: '党小组会',
  lesson: '党课',
  volunteer: '志愿服务',
  other: '其他组织生活',
} as const;
export type ActivityType = keyof typeof ACTIVITY_TYPES;
export const ACTIVITY_TYPE_KEYS = Object.keys(ACTIVITY_TYPES) as ActivityType[];

export const DEFAULT_OPEN_BEFORE_MIN = 30;
export const DEFAULT_CLOSE_AFTER_MIN = 30;
/** subscribe-message reminders go out this long before the start */
export const REMIND_BEFORE_MIN = 60;
/** this many unexcused absences in a row (not made up) flag a member to the secretary */
export const DEFAULT_ABSENCE_STREAK_FLAG = 3;

export type AttendanceStatus = 'present' | 'leave_pending' | 'leave' | 'leave_declined' | 'absent';
export type SignInMethod = 'qr' | 'code' | 'manual';

export const STATUS_LABEL: Record<AttendanceStatus, string> = {
  present: '已签到',
  leave_pending: '请假待批',
  leave: '请假',
  leave_declined: '请假未准',
  absent: '缺席',
};
export const METHOD_LABEL: Record<SignInMethod, string> = { qr: '扫码签到', code: '口令签到', manual: '书记代签' };

export interface RosterEntry {
  id: string;
  name: string;
  branchId: string;
}

/** The part of a stored activity the rules look at. */
export interface ActivityTimes {
  status: 'draft' | 'published' | 'cancelled';
  startAt: Date | string;
  endAt: Date | string;
  signInOpenAt: Date | string;
  signInCloseAt: Date | string;
  finalisedAt?: Date | string | null;
  geofence?: { lat: number; lng: number; radiusM: number } | null;
}

const ms = (d: Date | string) => new Date(d).getTime();

export function signInWindow(startAt: Date, openBeforeMin: number, closeAfterMin: number): { openAt: Date; closeAt: Date } {
  return {
    openAt: new Date(startAt.getTime() - openBeforeMin * 60_000),
    closeAt: new Date(startAt.getTime() + closeAfterMin * 60_000),
  };
}

export type Phase = 'draft' | 'cancelled' | 'upcoming' | 'signin' | 'closed';

/** Where an activity stands at `now`: a manual close (finalisedAt) ends sign-in early. */
export function phaseOf(a: ActivityTimes, now: Date): Phase {
  if (a.status === 'draft') return 'draft';
  if (a.status === 'cancelled') return 'cancelled';
  const t = now.getTime();
  if (a.finalisedAt || t >= ms(a.signInCloseAt)) return 'closed';
  if (t >= ms(a.signInOpenAt)) return 'signin';
  return 'upcoming';
}

/** Throws the error a member should see when sign-in is not possible now. */
export function assertSignInOpen(a: ActivityTimes, now: Date): void {
  const phase = phaseOf(a, now);
  if (phase === 'draft') throw new AppError('NOT_FOUND', '活动不存在或尚未发布');
  if (phase === 'cancelled') throw new AppError('FAILED_PRECONDITION', '活动已取消，无需签到');
  if (phase === 'upcoming') {
    throw new AppError('FAILED_PRECONDITION', `签到尚未开始，${formatTime(a.signInOpenAt)} 起可以签到`);
  }
  if (phase === 'closed') throw new AppError('FAILED_PRECONDITION', '签到已结束，如未能参加请联系支部书记补学');
}

/** Leave is asked for before the start; afterwards the member either came or is absent. */
export function assertLeaveOpen(a: ActivityTimes, now: Date): void {
  if (a.status === 'draft') throw new AppError('NOT_FOUND', '活动不存在或尚未发布');
  if (a.status === 'cancelled') throw new AppError('FAILED_PRECONDITION', '活动已取消，无需请假');
  if (now.getTime() >= ms(a.startAt) || a.finalisedAt) {
    throw new AppError('FAILED_PRECONDITION', '活动已经开始，不能再请假；如未能参加，会在活动结束后安排补学');
  }
}

/** Great-circle distance in metres (haversine); good to a metre at a meeting room's scale. */
export function distanceMeters(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const R = 6_371_000;
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * With a geofence set, a location is required and must fall inside the radius (plus the phone's
 * reported accuracy, capped, so a weak GPS fix indoors is not held against the member). A member
 * without location permission is signed in by the secretary instead.
 */
export function assertInsideGeofence(
  fence: ActivityTimes['geofence'],
  loc: { lat: number; lng: number; accuracy?: number } | undefined,
): void {
  if (!fence) return;
  if (!loc) throw new AppError('FAILED_PRECONDITION', '本次活动需要定位签到，请允许获取位置，或请支部书记代为签到');
  const slack = Math.min(Math.max(loc.accuracy ?? 0, 0), 100);
  const d = distanceMeters(fence, loc);
  if (d > fence.radiusM + slack) {
    throw new AppError('FAILED_PRECONDITION', `您不在活动地点附近（约 ${Math.round(d)} 米），请到现场后再签到`);
  }
}

export interface StoredAttendanceLike {
  memberId: string;
  status: AttendanceStatus;
  madeUpAt?: Date | string | null;
  /**
   * set on every record of an activity as its sign-in closes (and on the absences the close writes):
   * from then on sign-in and leave paths refuse to change it, whatever an instance's cached copy of
   * the activity still says
   */
  sealed?: boolean;
}

/**
 * What a self sign-in does given the member's existing record: insert a new one, return the stored
 * one (a retry), turn a leave record into presence (the member came after all), or refuse because
 * the record was sealed by the close.
 */
export function signInDecision(existing: StoredAttendanceLike | null): 'insert' | 'already' | 'upgrade' | 'closed' {
  if (!existing) return 'insert';
  if (existing.status === 'present') return 'already';
  if (existing.sealed) return 'closed';
  if (existing.status === 'absent') return 'already';
  return 'upgrade';
}

/**
 * At the close of sign-in: required members with no record at all are inserted as absent; a
 * pending or declined leave request becomes absent too (leave counts only once approved).
 */
export function absencePlan(
  roster: readonly RosterEntry[],
  records: readonly StoredAttendanceLike[],
): { insert: RosterEntry[]; toAbsent: string[] } {
  const byId = new Map(records.map((r) => [r.memberId, r]));
  const insert: RosterEntry[] = [];
  const toAbsent: string[] = [];
  for (const m of roster) {
    const r = byId.get(m.id);
    if (!r) insert.push(m);
    else if (r.status === 'leave_pending' || r.status === 'leave_declined') toAbsent.push(m.id);
  }
  return { insert, toAbsent };
}

export interface AttendanceCounts {
  /** 应到 */
  expected: number;
  /** 实到 */
  present: number;
  /** 请假 (approved) */
  leave: number;
  /** 缺席 */
  absent: number;
  /** 补学 done, among leave and absent */
  madeUp: number;
  /** leave requests still waiting for the secretary */
  leavePending: number;
  /** required members with no record yet (before the close) */
  noRecord: number;
}

export function countAttendance(
  roster: readonly { id: string }[],
  records: readonly StoredAttendanceLike[],
): AttendanceCounts {
  const required = new Set(roster.map((m) => m.id));
  const c: AttendanceCounts = { expected: roster.length, present: 0, leave: 0, absent: 0, madeUp: 0, leavePending: 0, noRecord: 0 };
  const seen = new Set<string>();
  for (const r of records) {
    seen.add(r.memberId);
    if (r.status === 'present') c.present++;
    else if (r.status === 'leave') c.leave++;
    else if (r.status === 'absent') c.absent++;
    else if (r.status === 'leave_pending') c.leavePending++;
    if ((r.status === 'leave' || r.status === 'absent') && r.madeUpAt) c.madeUp++;
  }
  for (const id of required) if (!seen.has(id)) c.noRecord++;
  return c;
}

/**
 * What replacing one member's record changes in the counts stored at the close, per field (only
 * fields that change): a correction or a 补学 after the close keeps `counts` equal to the records.
 */
export function countsDelta(
  member: { id: string },
  before: StoredAttendanceLike | null,
  after: StoredAttendanceLike,
): Partial<Record<keyof AttendanceCounts, number>> {
  const a = countAttendance([member], before ? [before] : []);
  const b = countAttendance([member], [after]);
  const out: Partial<Record<keyof AttendanceCounts, number>> = {};
  for (const k of Object.keys(b) as (keyof AttendanceCounts)[]) if (b[k] !== a[k]) out[k] = b[k] - a[k];
  return out;
}

/** Does this record owe 补学 (make-up study)? */
export const owesMakeUp = (r: StoredAttendanceLike) => (r.status === 'leave' || r.status === 'absent') && !r.madeUpAt;

/**
 * Attendance rate: present ÷ expected. Approved leave is excused but still not attendance; the
 * rate with 补学 counts made-up leave and absence as covered (what inspections call 参学率).
 */
export function rates(c: Pick<AttendanceCounts, 'expected' | 'present' | 'madeUp'>): { attendance: number; withMakeUp: number } {
  if (c.expected === 0) return { attendance: 0, withMakeUp: 0 };
  const r = (n: number) => Math.round((n / c.expected) * 1000) / 10;
  return { attendance: r(c.present), withMakeUp: r(Math.min(c.expected, c.present + c.madeUp)) };
}

/**
 * Unexcused absences in a row, newest first: absent and not made up counts; approved leave,
 * presence or a completed 补学 ends the run.
 */
export function absenceStreak(newestFirst: readonly StoredAttendanceLike[]): number {
  let n = 0;
  for (const r of newestFirst) {
    if (r.status === 'absent' && !r.madeUpAt) n++;
    else break;
  }
  return n;
}

export function formatTime(d: Date | string): string {
  return formatChina(d, 'MM-DD HH:mm');
}

export function formatDateTime(d: Date | string): string {
  return formatChina(d, 'YYYY-MM-DD HH:mm');
}

/** A period of whole days in Asia/Shanghai: [from 00:00, the day after `to` 00:00). */
export function periodBounds(from: string, to: string): { start: Date; end: Date } {
  return { start: startOfDay(from), end: startOfDay(addDays(to, 1)) };
}

export function reminderAt(startAt: Date): Date {
  return new Date(startAt.getTime() - REMIND_BEFORE_MIN * 60_000);
}

export const attendanceId = (activityId: string, memberId: string) => `${activityId}:${memberId}`;

// ---------------------------------------------------------------- 联建 (joint activities)

/**
 * A joint branch takes part only once its own side has said yes: the host invites, the invited
 * branch's secretary (or an organiser above it) accepts or declines, and only on acceptance are that
 * branch's members put on the roster. Until then the activity is not shown to them and no attendance
 * of theirs exists.
 */
export type JointStatus = 'pending' | 'accepted' | 'declined';
export const JOINT_STATUS_LABEL: Record<JointStatus, string> = { pending: '待回复', accepted: '已接受', declined: '已婉拒' };
export type JointDecision = 'accept' | 'decline';

export interface JointInvite {
  branchId: string;
  name: string;
  status: JointStatus;
  /** when and by whom the invitation was answered */
  at: Date | string | null;
  by: string | null;
}

export interface JointState {
  branchIds: readonly string[];
  jointBranchIds?: readonly string[] | null;
  joint?: readonly JointInvite[] | null;
}

/** Fresh, unanswered invitations for the branches a host names. */
export function newJointInvites(branches: readonly { id: string; name: string }[]): JointInvite[] {
  return branches.map((b) => ({ branchId: b.id, name: b.name, status: 'pending', at: null, by: null }));
}

/**
 * The invitations of an activity. One stored before invitations existed rostered its joint branches
 * at publication; those branches (already in `branchIds`) read as accepted.
 */
export function jointInvitesOf(a: JointState): JointInvite[] {
  if (a.joint) return a.joint.map((j) => ({ ...j }));
  return (a.jointBranchIds ?? []).map((b) => ({
    branchId: b,
    name: '',
    status: a.branchIds.includes(b) ? 'accepted' : 'pending',
    at: null,
    by: null,
  }));
}

/**
 * One branch's answer to its invitation: the invitations afterwards, whether anything changed (the
 * same answer sent again changes nothing) and whether the branch joins now. Answers are taken while
 * the activity is published and has not started.
 */
export function answerJointInvite(
  a: ActivityTimes & JointState & { closing?: boolean | null },
  branchId: string,
  decision: JointDecision,
  by: string,
  now: Date,
): { invites: JointInvite[]; changed: boolean; joins: boolean } {
  if (a.status === 'draft') throw new AppError('NOT_FOUND', '活动不存在或尚未发布');
  const invites = jointInvitesOf(a);
  const mine = invites.find((j) => j.branchId === branchId);
  if (!mine) throw new AppError('NOT_FOUND', '没有找到发给本支部的联建邀请');
  const target: JointStatus = decision === 'accept' ? 'accepted' : 'declined';
  if (mine.status === target) return { invites, changed: false, joins: false };
  if (a.status === 'cancelled') throw new AppError('FAILED_PRECONDITION', '活动已取消，无需回复联建邀请');
  if (a.finalisedAt || a.closing || now.getTime() >= ms(a.startAt)) {
    throw new AppError('FAILED_PRECONDITION', '活动已经开始，不能再回复联建邀请');
  }
  if (mine.status === 'accepted') {
    throw new AppError('FAILED_PRECONDITION', '已接受的联建邀请不能再婉拒，本支部党员已列入应到名单；如需调整请联系发起支部');
  }
  const next = invites.map((j) => (j.branchId === branchId ? { ...j, status: target, at: now, by } : j));
  return { invites: next, changed: true, joins: target === 'accepted' };
}

/** The roster with a newly joined branch's members added once each. */
export function rosterWith(roster: readonly RosterEntry[], add: readonly RosterEntry[]): RosterEntry[] {
  const seen = new Set(roster.map((m) => m.id));
  const out = [...roster];
  for (const m of add) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    out.push(m);
  }
  return out;
}

/**
 * Who may change a member's attendance record (manual sign-in, leave review, corrections): only the
 * secretary of that member's own branch, and only while that branch takes part. The host of a joint
 * activity sees the joint branches' attendance but never writes it.
 */
export function mayChangeAttendance(
  caller: { role: string; status: string; branchId: string | null } | null | undefined,
  a: { branchIds: readonly string[] },
  memberBranchId: string | null | undefined,
): boolean {
  return (
    !!caller &&
    caller.status === 'active' &&
    caller.role === 'secretary' &&
    !!memberBranchId &&
    caller.branchId === memberBranchId &&
    a.branchIds.includes(memberBranchId)
  );
}

/**
 * 结束签到 by hand: only once the activity has started. Before the start nobody can yet be late,
 * so closing would mark people absent who still have time to come.
 */
export function assertCanCloseSignIn(a: ActivityTimes, now: Date): void {
  if (a.status !== 'published') throw new AppError('FAILED_PRECONDITION', '活动未发布或已取消');
  if (now.getTime() < ms(a.startAt)) {
    throw new AppError('FAILED_PRECONDITION', `活动还没有开始，不能提前结束签到；${formatTime(a.startAt)} 开始后可以结束`);
  }
}

/** May the close (by hand or by the timer) mark absences now? Never before the start. */
export function closeAllowed(a: ActivityTimes, now: Date): boolean {
  return a.status === 'published' && now.getTime() >= ms(a.startAt);
}

/** Is the timer due to close this activity: its window is over and it has started? */
export function finaliseDue(a: ActivityTimes, now: Date): boolean {
  return closeAllowed(a, now) && !a.finalisedAt && now.getTime() >= ms(a.signInCloseAt);
}
