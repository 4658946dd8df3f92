/**
 * Request/response contracts of the `activity` cloud function, shared by the app (src/api/activity)
 * and the function. Inputs are zod schemas; outputs are plain types.
 */
import { z } from 'zod';
import '../fn/zod-messages';
import {
  ACTIVITY_TYPE_KEYS,
  DEFAULT_CLOSE_AFTER_MIN,
  DEFAULT_OPEN_BEFORE_MIN,
  type ActivityType,
  type AttendanceCounts,
  type AttendanceStatus,
  type JointStatus,
  type Phase,
  type SignInMethod,
} from './rules';
import { minutesInputs, type MinutesOutputs } from './minutes';
import { cadenceInputs, type CadenceOutputs } from './cadence';
import { checklistInputs, type ChecklistOutputs } from './checklist';

const id = z.string({ required_error: '缺少编号' }).trim().min(1, '缺少编号').max(64, '编号过长');
const reason = (label: string, min = 2) =>
  z
    .string({ required_error: `请填写${label}`, invalid_type_error: `${label}格式不对` })
    .trim()
    .min(min, `${label}至少 ${min} 个字`)
    .max(200, `${label}最多 200 个字`);
const isoDate = (label: string) =>
  z
    .string({ required_error: `请填写${label}`, invalid_type_error: `${label}格式不对` })
    .refine((s) => !Number.isNaN(Date.parse(s)), `${label}格式不对`)
    .transform((s) => new Date(s));
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
const lat = z.number().min(-90).max(90);
const lng = z.number().min(-180).max(180);

export const placeInput = z.object({
  name: z.string({ required_error: '请填写活动地点' }).trim().min(2, '活动地点至少 2 个字').max(60, '活动地点最多 60 个字'),
  address: z.string().trim().max(120, '详细地址最多 120 个字').default(''),
  lat: lat.optional(),
  lng: lng.optional(),
});

export const activityFields = z
  .object({
    type: z.enum(ACTIVITY_TYPE_KEYS as [ActivityType, ...ActivityType[]], { errorMap: () => ({ message: '请选择活动类型' }) }),
    title: z.string({ required_error: '请填写活动主题' }).trim().min(2, '活动主题至少 2 个字').max(60, '活动主题最多 60 个字'),
    agenda: z.string().trim().max(2000, '活动内容最多 2000 个字').default(''),
    startAt: isoDate('开始时间'),
    endAt: isoDate('结束时间'),
    place: placeInput,
    /** who must attend: the whole branch (default) or one 党小组 */
    groupId: id.nullable().default(null),
    /** 联建: other branches of the same community taking part */
    jointBranchIds: z.array(id).max(10, '联建支部最多 10 个').default([]),
    /** 学时 this activity credits (0 = does not count) */
    studyMinutes: z.number().int().min(0).max(480, '学时最多 8 小时').default(0),
    openBeforeMin: z.number().int().min(0).max(240).default(DEFAULT_OPEN_BEFORE_MIN),
    closeAfterMin: z.number().int().min(5, '签到至少在开始后保留 5 分钟').max(600).default(DEFAULT_CLOSE_AFTER_MIN),
    /** geofence radius in metres; needs the place's map point */
    geofenceRadiusM: z.number().int().min(50, '签到范围至少 50 米').max(5000, '签到范围最多 5000 米').nullable().default(null),
    /** what members on leave or absent study to make up (补学) */
    makeUpText: z.string().trim().max(2000).default(''),
    makeUpLessonId: id.nullable().default(null),
  })
  .superRefine((v, ctx) => {
    if (v.endAt.getTime() <= v.startAt.getTime()) ctx.addIssue({ code: 'custom', path: ['endAt'], message: '结束时间应晚于开始时间' });
    if (v.endAt.getTime() - v.startAt.getTime() > 24 * 3600_000) ctx.addIssue({ code: 'custom', path: ['endAt'], message: '活动最长 24 小时' });
    if (v.geofenceRadiusM !== null && (v.place.lat === undefined || v.place.lng === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['geofenceRadiusM'], message: '设置签到范围需要先选择地图位置' });
    }
  });

export const activityInputs = {
  /** notices for the caller's branch (members), or those the caller manages (secretary) */
  list: z.object({ manage: z.boolean().default(false), limit: z.number().int().min(1).max(50).default(20) }).strict(),
  /** one notice; a member opening it leaves a read receipt */
  get: z.object({ id }).strict(),
  /** create (no id) or edit a draft; editing a published notice needs changeNote and tells members */
  save: z
    .object({ id: id.optional(), requestId: z.string().regex(/^[A-Za-z0-9_-]{8,40}$/).optional(), changeNote: z.string().trim().max(200).optional(), fields: activityFields })
    .strict(),
  publish: z.object({ id }).strict(),
  cancel: z.object({ id, reason: reason('取消原因') }).strict(),
  /** the secretary's rotating sign-in code */
  qrToken: z.object({ id }).strict(),
  /** a member signs themself in with the scanned code; nobody else can be named here */
  signIn: z
    .object({
      token: z.string({ required_error: '请扫描签到码' }).trim().min(1, '请扫描签到码').max(120, '签到码无效，请扫描支部书记手机上的签到码'),
      location: z.object({ lat, lng, accuracy: z.number().min(0).max(10000).optional() }).strict().optional(),
    })
    .strict(),
  /**
   * a member signs themself in with the 签到口令 shown under the QR (no camera needed); wrong codes
   * are counted per member and activity (core/activity/token.ts explains the limits)
   */
  codeSignIn: z
    .object({
      id,
      code: z
        .string({ required_error: '请输入签到口令' })
        .transform((s) => s.replace(/\s+/g, ''))
        .pipe(z.string().min(1, '请输入签到口令').regex(/^\d{6}$/, '签到口令是 6 位数字，请看支部书记手机上签到码下方的数字')),
      location: z.object({ lat, lng, accuracy: z.number().min(0).max(10000).optional() }).strict().optional(),
    })
    .strict(),
  manualSignIn: z.object({ id, memberId: id, reason: reason('代签原因') }).strict(),
  requestLeave: z.object({ id, reason: reason('请假原因') }).strict(),
  reviewLeave: z.object({ id, memberId: id, decision: z.enum(['approve', 'decline']), note: z.string().trim().max(200).optional() }).strict(),
  /** the secretary ends sign-in now: everyone required without a record is marked absent */
  closeSignIn: z.object({ id }).strict(),
  roster: z.object({ id }).strict(),
  /** change one member's attendance; after the close it needs a recorded reason */
  setAttendance: z
    .object({ id, memberId: id, status: z.enum(['present', 'leave', 'absent']), reason: z.string().trim().max(200).optional() })
    .strict(),
  myMakeUps: z.object({}).strict(),
  /** the member confirms the 补学 with a few words of what they studied */
  completeMakeUp: z.object({ id, note: reason('学习体会', 5) }).strict(),
  /** opt in to a reminder before the start (after wx.requestSubscribeMessage) */
  subscribe: z.object({ id }).strict(),
  /** 台账 export (.xlsx) of the caller's branch for a period */
  exportLedger: z
    .object({ from: day, to: day, branchId: id.optional() })
    .strict()
    .refine((v) => v.from <= v.to, { message: '开始日期应早于结束日期', path: ['to'] }),
  /** attendance rates for a period: per member (secretary), per branch (organiser) */
  rates: z.object({ from: day, to: day, branchId: id.optional() }).strict(),
  /** organiser: every branch of their subtree on its 出勤率 for a period, from the activities' stored counts */
  branchRates: z.object({ from: day, to: day }).strict(),
  /**
   * 联建 for a branch (the caller's own; organisers name one in their subtree): the invitations it
   * has received, and the branches of the same community it may invite
   */
  jointInvites: z.object({ branchId: id.optional() }).strict(),
  /** the invited branch's answer; organisers name the branch they answer for */
  respondJoint: z.object({ id, branchId: id.optional(), decision: z.enum(['accept', 'decline']) }).strict(),
  /** 会议记录, the cadence each branch owes and the 主题党日 7+1 checklist (core/activity/{minutes,cadence,checklist}.ts) */
  ...minutesInputs,
  ...cadenceInputs,
  ...checklistInputs,
};

export type ActivityAction = keyof typeof activityInputs;
export type ActivityInput<A extends ActivityAction> = z.input<(typeof activityInputs)[A]>;
export type ActivityFieldsInput = z.input<typeof activityFields>;

export interface ActivityView {
  id: string;
  type: ActivityType;
  typeLabel: string;
  title: string;
  agenda: string;
  startAt: string;
  endAt: string;
  signInOpenAt: string;
  signInCloseAt: string;
  place: { name: string; address: string; lat?: number; lng?: number };
  hostBranchId: string;
  hostBranchName: string;
  branchIds: string[];
  groupId: string | null;
  studyMinutes: number;
  geofenceRadiusM: number | null;
  makeUpText: string;
  makeUpLessonId: string | null;
  status: 'draft' | 'published' | 'cancelled';
  phase: Phase;
  rev: number;
  changes: { at: string; note: string }[];
  cancelReason: string | null;
  expected: number;
  finalisedAt: string | null;
  /** the fields a secretary edits, as they were saved */
  openBeforeMin: number;
  closeAfterMin: number;
  /** the invited 联建 branches */
  jointBranchIds: string[];
  /** each invited branch's answer: only accepted branches are on the roster */
  joint: JointInviteView[];
}

export interface JointInviteView {
  branchId: string;
  name: string;
  status: JointStatus;
  at: string | null;
}

export interface AttendanceView {
  memberId: string;
  name: string;
  status: AttendanceStatus | 'none';
  method: SignInMethod | null;
  at: string | null;
  leaveReason: string | null;
  note: string | null;
  madeUpAt: string | null;
}

export interface NoticeItem extends ActivityView {
  /** the caller's own record, if any */
  mine: AttendanceView | null;
  /** unread, or changed since last read */
  unread: boolean;
  required: boolean;
}

export interface RosterRow extends AttendanceView {
  read: boolean;
  absenceStreak?: number;
  /** the member's branch (a 联建 activity lists several) */
  branchId: string;
  /** may the caller change this member's attendance (their own branch's secretary only) */
  canChange: boolean;
}

export interface ActivityOutputs extends MinutesOutputs, CadenceOutputs, ChecklistOutputs {
  list: { items: NoticeItem[]; badge: number };
  /** canManage: the host's secretary; canHandleOwn: a taking-part branch's secretary (its own members) */
  get: NoticeItem & { canManage: boolean; canHandleOwn: boolean };
  save: ActivityView;
  publish: ActivityView;
  cancel: ActivityView;
  /**
   * code: the 签到口令 of the same slot, valid exactly as long as the token. The top-level fields are
   * this slot's (what app versions before `slots` show); `slots` are this one and the next ones, each
   * to be shown `showInMs` after the answer arrives; `callAgainInMs`: when to ask for the next ones.
   */
  qrToken: {
    token: string;
    code: string;
    qr: string;
    slot: number;
    refreshInMs: number;
    expiresAt: string;
    slots: { token: string; code: string; qr: string; slot: number; showInMs: number; expiresAt: string }[];
    /** who has signed in so far, counted as `roster` counts */
    counts: AttendanceCounts;
    callAgainInMs: number;
  };
  signIn: { activityId: string; title: string; attendance: AttendanceView; duplicate: boolean };
  codeSignIn: { activityId: string; title: string; attendance: AttendanceView; duplicate: boolean };
  manualSignIn: AttendanceView;
  requestLeave: AttendanceView;
  reviewLeave: AttendanceView;
  closeSignIn: { activityId: string; markedAbsent: number; counts: AttendanceCounts };
  roster: { activity: ActivityView; counts: AttendanceCounts; reads: number; rows: RosterRow[]; flagged: { memberId: string; name: string; streak: number }[] };
  setAttendance: AttendanceView;
  myMakeUps: { items: { activity: ActivityView; attendance: AttendanceView }[] };
  completeMakeUp: AttendanceView;
  subscribe: { remindAt: string; subscribed: true };
  exportLedger: { fileName: string; fileID: string; url: string; bytes: number; activities: number; rows: number };
  rates: {
    branchId: string;
    from: string;
    to: string;
    activities: number;
    counts: AttendanceCounts;
    rate: { attendance: number; withMakeUp: number };
    /** secretaries only: organisers see the branch figures, not people */
    members: { memberId: string; name: string; expected: number; present: number; leave: number; absent: number; madeUp: number; rate: number }[] | null;
    /** each activity of the period in time order: this branch's 应到, 实到 and 出勤率 (%) */
    perActivity: { activityId: string; title: string; startAt: string; expected: number; present: number; rate: number }[];
  };
  /** rate: 实到 ÷ 应到 in %, over the finished activities each branch hosted (a 联建 activity counts for its host) */
  branchRates: { from: string; to: string; scopeName: string; rows: { branchId: string; name: string; activities: number; expected: number; present: number; rate: number }[] };
  jointInvites: {
    branchId: string;
    /** invitations to this branch, newest first: the activity and this branch's answer */
    items: { activity: ActivityView; invite: JointInviteView }[];
    /** branches of the same community that this branch may invite */
    partners: { id: string; name: string }[];
  };
  respondJoint: { activity: ActivityView; invite: JointInviteView; changed: boolean; added: number };
}
