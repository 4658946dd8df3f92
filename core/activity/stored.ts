/**
 * The stored shapes of the activity collections and the one place each document is built: the
 * function, the demo seed, the bench and the test fixtures all make their documents here, so a
 * stored activity, attendance record or read receipt has one shape. Pure: no SDK. The shapes are
 * type aliases, not interfaces, so a document is also a plain record to a generic store.
 */
import {
  attendanceId,
  newJointInvites,
  signInWindow,
  type ActivityType,
  type AttendanceCounts,
  type AttendanceStatus,
  type JointInvite,
  type RosterEntry,
  type SignInMethod,
} from './rules';

export type StoredActivity = {
  _id: string;
  type: ActivityType;
  title: string;
  agenda: string;
  startAt: Date | string;
  endAt: Date | string;
  signInOpenAt: Date | string;
  signInCloseAt: Date | string;
  openBeforeMin: number;
  closeAfterMin: number;
  place: { name: string; address: string; lat?: number; lng?: number };
  geofence: { lat: number; lng: number; radiusM: number } | null;
  hostBranchId: string;
  hostBranchName: string;
  /** the host branch's full path (root first, branch last): organisers above it may look */
  hostPath: string[];
  hostName: string;
  createdBy: string;
  /** the branches taking part: the host and each 联建 branch that has accepted */
  branchIds: string[];
  /** the 联建 branches invited */
  jointBranchIds: string[];
  /** each invited branch's answer (absent on activities stored before invitations: see jointInvitesOf) */
  joint?: JointInvite[];
  /** bumped by every answer: an answer is written only over the invitations it read */
  inviteRev?: number;
  groupId: string | null;
  studyMinutes: number;
  makeUpText: string;
  makeUpLessonId: string | null;
  status: 'draft' | 'published' | 'cancelled';
  rev: number;
  changes: { at: Date | string; note: string; by: string }[];
  cancelReason: string | null;
  /** required members, fixed at publication (应到) */
  roster: RosterEntry[];
  finalisedAt: Date | string | null;
  /** set first thing by the close: from then on no branch can join and the roster is final */
  closing?: boolean;
  counts?: AttendanceCounts | null;
  flagged?: { memberId: string; name: string; streak: number }[];
  awardedAt?: Date | string | null;
  createdAt: Date | string;
  updatedAt: Date | string;
  publishedAt?: Date | string | null;
};

export type StoredAttendance = {
  _id: string;
  activityId: string;
  memberId: string;
  memberName: string;
  branchId: string;
  startAt: Date | string;
  status: AttendanceStatus;
  method: SignInMethod | null;
  at: Date | string | null;
  byId: string | null;
  note: string | null;
  leaveReason: string | null;
  leaveRequestedAt: Date | string | null;
  reviewedBy: string | null;
  reviewedAt: Date | string | null;
  madeUpAt: Date | string | null;
  makeUpNote: string | null;
  history: { at: Date | string; by: string; from: string; to: string; reason: string }[];
  /** set by the close: sign-in and leave paths no longer change this record */
  sealed?: boolean;
  updatedAt: Date | string;
};

/** A member's read receipt of a notice (`activity_reads`), at the revision read. */
export type StoredActivityRead = {
  _id: string;
  activityId: string;
  memberId: string;
  name: string;
  rev: number;
  at: Date | string;
};

/** The fields a secretary edits (the `save` form after validation). */
export interface ActivityFields {
  type: ActivityType;
  title: string;
  agenda: string;
  startAt: Date;
  endAt: Date;
  place: StoredActivity['place'];
  openBeforeMin: number;
  closeAfterMin: number;
  /** a geofence needs the place's map point; without one the radius is ignored */
  geofenceRadiusM: number | null;
  studyMinutes: number;
  makeUpText: string;
  makeUpLessonId: string | null;
}

/** What a save writes from the form: the fields, the sign-in window and the geofence they imply. */
export function activityBody(f: ActivityFields, now: Date) {
  const win = signInWindow(f.startAt, f.openBeforeMin, f.closeAfterMin);
  const geofence =
    f.geofenceRadiusM !== null && f.place.lat !== undefined && f.place.lng !== undefined
      ? { lat: f.place.lat, lng: f.place.lng, radiusM: f.geofenceRadiusM }
      : null;
  return {
    type: f.type,
    title: f.title,
    agenda: f.agenda,
    startAt: f.startAt,
    endAt: f.endAt,
    signInOpenAt: win.openAt,
    signInCloseAt: win.closeAt,
    openBeforeMin: f.openBeforeMin,
    closeAfterMin: f.closeAfterMin,
    place: f.place,
    geofence,
    studyMinutes: f.studyMinutes,
    makeUpText: f.makeUpText,
    makeUpLessonId: f.makeUpLessonId,
    updatedAt: now,
  };
}

/**
 * Who takes part in a new or draft activity: the host (or one of its 党小组) now; each invited 联建
 * branch once it accepts (invitations go out at publication).
 */
export function activityScope(hostBranchId: string, groupId: string | null, joint: readonly { id: string; name: string }[]) {
  return {
    groupId,
    jointBranchIds: joint.map((b) => b.id),
    joint: newJointInvites(joint),
    inviteRev: 0,
    branchIds: [hostBranchId],
  };
}

export interface NewActivity {
  id: string;
  fields: ActivityFields;
  /** the host branch (its ancestors in `path`) and the secretary who creates the activity */
  host: { branchId: string; branchName: string; path: readonly string[]; secretaryId: string; secretaryName: string };
  groupId?: string | null;
  joint?: readonly { id: string; name: string }[];
  now: Date;
}

/** A new activity as `save` stores it: a draft of the host branch; `patch` sets any later state. */
export function newActivityDoc(o: NewActivity, patch: Partial<StoredActivity> = {}): StoredActivity {
  const { host, now } = o;
  return {
    _id: o.id,
    ...activityBody(o.fields, now),
    ...activityScope(host.branchId, o.groupId ?? null, o.joint ?? []),
    hostBranchId: host.branchId,
    hostBranchName: host.branchName,
    hostPath: [...host.path, host.branchId],
    hostName: host.secretaryName,
    createdBy: host.secretaryId,
    status: 'draft',
    rev: 0,
    changes: [],
    cancelReason: null,
    roster: [],
    finalisedAt: null,
    closing: false,
    counts: null,
    flagged: [],
    awardedAt: null,
    createdAt: now,
    publishedAt: null,
    ...patch,
  };
}

/** A fresh attendance record with its deterministic id; `patch` says what happened. */
export function newAttendance(
  a: Pick<StoredActivity, '_id' | 'startAt'>,
  m: RosterEntry,
  now: Date,
  patch: Partial<StoredAttendance>,
): StoredAttendance {
  return {
    _id: attendanceId(a._id, m.id),
    activityId: a._id,
    memberId: m.id,
    memberName: m.name,
    branchId: m.branchId,
    startAt: a.startAt,
    status: 'present',
    method: null,
    at: null,
    byId: null,
    note: null,
    leaveReason: null,
    leaveRequestedAt: null,
    reviewedBy: null,
    reviewedAt: null,
    madeUpAt: null,
    makeUpNote: null,
    history: [],
    updatedAt: now,
    ...patch,
  };
}

/** A member's read receipt at the notice's current revision (same id as the member's record). */
export function newActivityRead(a: Pick<StoredActivity, '_id' | 'rev'>, m: { id: string; name: string }, at: Date | string): StoredActivityRead {
  return { _id: attendanceId(a._id, m.id), activityId: a._id, memberId: m.id, name: m.name, rev: a.rev, at };
}
