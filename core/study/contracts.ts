/**
 * Request/response contracts of the `study` cloud function, shared by the app (src/api/study.ts)
 * and the function (cloudfunctions/study). Inputs are zod schemas; outputs are plain types.
 */
import { z } from 'zod';
import '../fn/zod-messages';
import type { StudySource } from './rules';

const id = z.string({ required_error: '缺少编号', invalid_type_error: '编号格式不对' }).trim().min(1, '缺少编号').max(80, '编号过长');
const year = z.number().int().min(2000).max(2100).optional();
const dateStr = z
  .string({ required_error: '请选择日期' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
const text = (label: string, max: number) =>
  z
    .string({ required_error: `请填写${label}`, invalid_type_error: `${label}格式不对` })
    .trim()
    .min(1, `请填写${label}`)
    .max(max, `${label}最多 ${max} 个字`);
const url = z.string().trim().max(500, '地址过长');

export const LESSON_KINDS = ['video', 'audio', 'article', 'live'] as const;
export type LessonKind = (typeof LESSON_KINDS)[number];
export const KIND_LABEL: Record<LessonKind, string> = { video: '视频', audio: '音频', article: '图文', live: '直播' };

export const OFFLINE_KINDS = ['集中培训', '送学上门', '阵地集训', '课时培训'] as const;

export const studyInputs = {
  /** lessons offered to the caller's branch and everything above it; live lessons included */
  lessons: z.object({ kind: z.enum(LESSON_KINDS).optional() }),
  /** one lesson with the caller's progress (where to resume) */
  lesson: z.object({ lessonId: id }),
  /**
   * begin (or take over) studying a lesson: returns the session's lease the checkpoints carry.
   * `offer`: the `lesson` view's startOffer, so that the start needs no read.
   */
  start: z.object({ lessonId: id, offer: z.string().max(4000).optional() }),
  /**
   * every few minutes while a lesson plays, and on pause, hide and lesson end: the seconds played
   * since the lease's checkpoint; the server credits at most its own time since then
   */
  checkpoint: z.object({
    lease: z.string({ required_error: '请先打开课程开始学习，再计学时' }).min(1).max(4000),
    played: z.number({ invalid_type_error: '学习时长格式不对' }).min(0, '学习时长不能为负').max(86_400),
    position: z.number({ invalid_type_error: '播放位置格式不对' }).min(0, '播放位置不能为负').max(1e7),
  }),
  /**
   * 视频号 live (core/study/live.ts): the member taps 进入直播 — the server records the time of the
   * tap and credits nothing for the page; then, when the app shows again, the return credits the
   * time away inside the broadcast window. Both carry the session's lease.
   */
  liveJoin: z.object({ lease: z.string({ required_error: '请先打开课程开始学习，再计学时' }).min(1).max(4000) }),
  liveReturn: z.object({ lease: z.string({ required_error: '请先打开课程开始学习，再计学时' }).min(1).max(4000) }),
  /** heartbeat of app versions from before checkpoints (kept for one release); credit is measured on the server */
  beat: z.object({
    sessionId: id,
    lessonId: id,
    position: z.number({ invalid_type_error: '播放位置格式不对' }).min(0, '播放位置不能为负').max(1e7),
    playing: z.boolean().default(true),
  }),
  /** leave the lesson: what was credited goes into the ledger at once; with the lease, the last checkpoint first */
  stop: z.object({
    sessionId: id,
    lease: z.string().max(4000).optional(),
    played: z.number().min(0).max(86_400).optional(),
    position: z.number().min(0).max(1e7).optional(),
  }),
  /** my 学时 this year against the target */
  progress: z.object({ year }),
  /** remind me before a live lesson starts (after the member granted a subscribe message) */
  remind: z.object({ lessonId: id }),
  /** secretary / organiser: a branch's members sorted by who is furthest behind */
  branchTable: z.object({ branchId: id.optional(), year }),
  /** secretary: remind the members who are behind */
  remindBehind: z.object({ year }),
  /** secretary: 集中培训 / 送学上门 for chosen members of their own branch */
  recordOffline: z.object({
    kind: z.enum(OFFLINE_KINDS, { errorMap: () => ({ message: '请选择学习形式' }) }),
    date: dateStr,
    topic: text('学习内容', 60),
    hours: z
      .number({ required_error: '请填写时长', invalid_type_error: '时长格式不对' })
      .gt(0, '时长必须大于 0')
      .max(24, '时长不能超过一天（24 小时）'),
    place: text('地点', 40),
    deliveredBy: text('授课/送学人', 20),
    memberIds: z.array(id).min(1, '请至少选择一名党员').max(60, '一次最多记录 60 人'),
    /** the client's idempotency key: a double tap or retry records once */
    requestId: z.string().trim().regex(/^[A-Za-z0-9_-]{8,40}$/, '请求编号格式不对'),
  }),
  listOffline: z.object({ year }),
  /** organiser: completion rate per branch of their subtree */
  orgRates: z.object({ year }),
  /** secretary / organiser: publish a lesson to their branch / subtree */
  createLesson: z
    .object({
      kind: z.enum(LESSON_KINDS),
      title: text('课程标题', 60),
      speaker: text('主讲人', 20),
      minutes: z.number({ required_error: '请填写时长' }).int('时长按整分钟填写').min(1, '时长至少 1 分钟').max(600, '时长最多 600 分钟'),
      cover: url.optional(),
      mediaUrl: url.optional(),
      body: z.string().max(20000, '正文最多 20000 字').optional(),
      startsAt: z.string().datetime({ offset: true }).optional(),
      streamUrl: url.optional(),
      channelsId: z.string().trim().max(60).optional(),
      replayUrl: url.optional(),
      publish: z.boolean().default(true),
    })
    .superRefine((v, ctx) => {
      if (v.kind === 'article' && !v.body) ctx.addIssue({ code: 'custom', path: ['body'], message: '图文课程需要正文' });
      if ((v.kind === 'video' || v.kind === 'audio') && !v.mediaUrl) ctx.addIssue({ code: 'custom', path: ['mediaUrl'], message: '请先上传音视频文件' });
      if (v.kind === 'live' && !v.startsAt) ctx.addIssue({ code: 'custom', path: ['startsAt'], message: '请填写直播开始时间' });
    }),
  /** the branch's 学时 ledger as .xlsx: a secretary's own branch, or a branch an organiser oversees */
  exportLedger: z.object({ branchId: id.optional(), year }),
};

export type StudyAction = keyof typeof studyInputs;
export type StudyInput<A extends StudyAction> = z.input<(typeof studyInputs)[A]>;

export interface LiveInfo {
  startsAt: string;
  endsAt: string;
  /** HLS / MP4 the H5 app and the Video component play */
  streamUrl: string | null;
  /** 视频号 id for wx.openChannelsLive on WeChat */
  channelsId: string | null;
  replayUrl: string | null;
  /** upcoming | live | ended */
  state: 'upcoming' | 'live' | 'ended';
  reminded: boolean;
}

export interface LessonView {
  id: string;
  kind: LessonKind;
  title: string;
  speaker: string;
  durationSec: number;
  /** 学时 this lesson can earn at most */
  maxHours: number;
  creditRule: string;
  cover: string | null;
  mediaUrl: string | null;
  orgName: string;
  publishedAt: string | null;
  live: LiveInfo | null;
  progress: { creditedSec: number; position: number; completed: boolean };
}

export interface LessonDetail extends LessonView {
  body: string | null;
  /** hand to `start`: lets it start the lesson without reading again (valid for minutes) */
  startOffer: string | null;
}

export interface StartResult {
  sessionId: string;
  /** the session's signed state: the next checkpoint or stop carries it */
  lease: string;
  resumeAt: number;
  /** for app versions that still send heartbeats */
  beatEverySec: number;
  checkpointEverySec: number;
  mode: 'lesson' | 'live' | 'replay';
  creditedSec: number;
  completed: boolean;
}

export interface CheckpointResult {
  /** the lease the next checkpoint or stop carries */
  lease: string;
  creditedSec: number;
  lessonSec: number;
  todaySec: number;
  completed: boolean;
  note: string;
}

export interface LiveJoinResult {
  /** the lease the return carries (it records the join) */
  lease: string;
  /** server time of the join */
  joinedAt: string;
  /** a return later than this credits nothing */
  returnBy: string;
}

export interface BeatResult {
  creditedSec: number;
  lessonSec: number;
  todaySec: number;
  completed: boolean;
  note: string;
}

export interface ProgressView {
  year: number;
  targetHours: number;
  cadre: boolean;
  hours: number;
  /** 0–1 */
  ratio: number;
  bySource: Record<StudySource, number>;
  /** 12 entries, January first: 学时 */
  byMonth: number[];
  lessonsCompleted: number;
  minutesPerHour: number;
  /** study in the open session, not yet in the ledger, included above */
  pendingSec: number;
}

export interface BranchRow {
  memberId: string;
  name: string;
  role: string;
  age?: number;
  hours: number;
  targetHours: number;
  /** 学时 still missing (0 when met) */
  behind: number;
  bySource: Record<StudySource, number>;
  bound: boolean;
}

export interface BranchTable {
  branchId: string;
  branchName: string;
  year: number;
  rows: BranchRow[];
  met: number;
  total: number;
}

export interface OfflineView {
  id: string;
  kind: string;
  date: string;
  topic: string;
  hours: number;
  place: string;
  deliveredBy: string;
  members: Array<{ id: string; name: string }>;
  recordedBy: string;
}

export interface OrgRateRow {
  branchId: string;
  branchName: string;
  members: number;
  met: number;
  rate: number;
  avgHours: number;
}

export interface StudyOutputs {
  lessons: LessonView[];
  lesson: LessonDetail;
  start: StartResult;
  checkpoint: CheckpointResult;
  liveJoin: LiveJoinResult;
  liveReturn: CheckpointResult;
  beat: BeatResult;
  stop: { creditedSec: number; completed: boolean };
  progress: ProgressView;
  remind: { reminded: true; startsAt: string };
  branchTable: BranchTable;
  remindBehind: { sent: number; skipped: number };
  recordOffline: { id: string; credited: number; skipped: number };
  listOffline: OfflineView[];
  orgRates: { year: number; rows: OrgRateRow[] };
  createLesson: { id: string };
  exportLedger: { fileName: string; base64: string };
}
