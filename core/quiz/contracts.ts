/**
 * Request/response contracts of the `quiz` cloud function, shared by the app (src/api/quiz.ts) and
 * the function. Inputs are zod schemas; outputs are plain types. Nothing sent before an answer
 * carries the answer or the explanation (PublicQuestion).
 */
import { z } from 'zod';
import '../fn/zod-messages';
import { MAX_PER_DAY } from './daily-set';
import { DAY_RE } from '../day';
import type { PublicQuestion, QuestionOption, QuestionResult, QuestionType } from './question';
import type { AwardLine } from '../points/ledger';
import type { BranchRank, MemberRank } from './stats';

const qid = z.string().trim().min(1, '缺少题目编号').max(40, '题目编号过长');
const day = z.string().regex(DAY_RE, '日期格式应为 YYYY-MM-DD');
const choice = z.array(z.string().trim().min(1).max(2, '选项编号不对')).max(6, '选项太多');
const answers = z
  .array(z.object({ questionId: qid, choice }))
  .min(1, '请先作答')
  .max(MAX_PER_DAY, '题目太多');
const tag = z.string().trim().min(1).max(12, '标签最多 12 个字');

export const quizInputs = {
  /** today's set for the caller's org (no answers), and the caller's own result if answered */
  today: z.object({}),
  /** answer the day's set once; `day` is the day the set was fetched for */
  submit: z.object({ day, answers }),
  wrongBook: z.object({}),
  /**
   * a practice round from the wrong book or a tag: no points, no rankings; only questions already
   * asked in a closed daily set (core/quiz/practice.ts)
   */
  practice: z.object({ mode: z.enum(['wrong', 'tag']), tag: tag.optional(), size: z.number().int().min(1).max(20).default(10) }),
  /** at most PRACTICE_CHECKS_PER_DAY questions a day */
  checkPractice: z.object({ answers }),
  tags: z.object({}),
  /** the member accepted (or refused) the reminder subscription on the quiz page */
  subscribe: z.object({ accepted: z.boolean() }),
  /** secretary: today's participation and who has not answered (organiser: any branch of their subtree) */
  branchToday: z.object({ branchId: z.string().trim().min(1).max(64).optional() }),
  /** secretary: one reminder per branch per day to members who have not answered and opted in */
  remind: z.object({}),
  rankMembers: z.object({}),
  rankBranches: z.object({ level: z.enum(['community', 'street']).default('community') }),
  /** organiser: bank size, remaining days of fresh questions, questions per day */
  bankStatus: z.object({}),
  listQuestions: z.object({ status: z.enum(['active', 'retired']).default('active'), page: z.number().int().min(0).max(1000).default(0) }),
  importBank: z.object({
    fileName: z.string().trim().max(100).regex(/\.(xlsx|csv)$/i, '只支持 .xlsx 或 .csv 文件'),
    contentBase64: z
      .string()
      .max(96_000, '文件太大：单个文件不超过 70 KB（约 300 道题），请拆分后分批导入')
      .regex(/^[A-Za-z0-9+/=\s]*$/, '文件内容格式不对'),
    dryRun: z.boolean().default(true),
  }),
  editQuestion: z.object({
    id: qid,
    explanation: z.string().trim().min(1, '解析不能为空').max(500).optional(),
    source: z.string().trim().min(1, '出处不能为空').max(50).optional(),
    tags: z.array(tag).max(5).optional(),
    difficulty: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
  }),
  retireQuestion: z.object({ id: qid, retired: z.boolean().default(true) }),
  pin: z.object({ day, questionIds: z.array(qid).min(1, '至少选择 1 道题').max(MAX_PER_DAY) }),
  setPerDay: z.object({ perDay: z.number().int().min(1, '每天至少 1 道题').max(MAX_PER_DAY, `每天最多 ${MAX_PER_DAY} 道题`) }),
};

export type QuizAction = keyof typeof quizInputs;
export type QuizInput<A extends QuizAction> = z.input<(typeof quizInputs)[A]>;

export interface SubmissionView {
  day: string;
  correct: number;
  total: number;
  results: QuestionResult[];
  points: number;
  lines: AwardLine[];
  capped: number;
  streak: number;
  submittedAt: string;
}

export interface TodayView {
  day: string;
  orgName: string;
  questions: PublicQuestion[];
  /** null until the caller has answered this day's set */
  submission: SubmissionView | null;
  streak: number;
  remindQuota: number;
  /** when the set may still be submitted (Asia/Shanghai, ISO) */
  deadline: string;
  /** the caller can read this set's answers in 题库管理: no points, not ranked (core/quiz/stats.ts quizUnranked) */
  unranked: boolean;
}

export interface WrongItem {
  id: string;
  type: QuestionType;
  stem: string;
  options: QuestionOption[];
  answer: string[];
  explanation: string;
  source: string;
  tags: string[];
  difficulty: 1 | 2 | 3;
  lastChoice: string[];
  lastDay: string;
  times: number;
}

export interface PracticeResult {
  correct: number;
  total: number;
  results: QuestionResult[];
  /** questions answered correctly here leave the wrong book */
  mastered: string[];
  /** questions the caller may still check today (PRACTICE_CHECKS_PER_DAY) */
  checksLeft: number;
}

export interface BranchTodayView {
  day: string;
  branchId: string;
  branchName: string;
  members: number;
  answered: number;
  rate: number;
  missing: Array<{ memberId: string; name: string; canRemind: boolean; streakLost: boolean }>;
  answeredList: Array<{ memberId: string; name: string; streak: number }>;
  /** how many of the missing can receive a reminder now (they opted in and have grants left) */
  remindable: number;
  remindedToday: { at: string; sent: number } | null;
}

export interface RemindResult {
  sent: number;
  failed: number;
  /** missing members with no grant left: the app shows this number honestly */
  noGrant: number;
  alreadyReminded: boolean;
}

export interface BankStatus {
  orgId: string;
  orgName: string;
  perDay: number;
  active: number;
  retired: number;
  freshDays: number;
  low: boolean;
  cycle: number;
  pinnedDays: string[];
  /** the caller reads the answers of banks their own daily set draws from: they take it without points or rank */
  ownQuizUnranked: boolean;
}

export interface QuestionAdminView extends PublicQuestion {
  answer: string[];
  explanation: string;
  status: 'active' | 'retired';
  orgId: string;
}

export interface BankImportReport {
  dryRun: boolean;
  total: number;
  created: number;
  duplicates: Array<{ row: number; message: string }>;
  errors: Array<{ row: number; message: string }>;
}

export interface QuizOutputs {
  today: TodayView;
  submit: SubmissionView & { duplicate: boolean };
  wrongBook: { items: WrongItem[] };
  practice: { questions: PublicQuestion[] };
  checkPractice: PracticeResult;
  tags: { tags: Array<{ tag: string; count: number }> };
  subscribe: { remindQuota: number };
  branchToday: BranchTodayView;
  remind: RemindResult;
  /** `me` is null for a caller left out of the rankings (`meUnranked`) */
  rankMembers: { day: string; branchName: string; rows: MemberRank[]; me: MemberRank | null; meUnranked: boolean };
  rankBranches: { day: string; level: 'community' | 'street'; scopeName: string; rows: BranchRank[] };
  bankStatus: BankStatus;
  listQuestions: { total: number; page: number; questions: QuestionAdminView[] };
  importBank: BankImportReport;
  editQuestion: QuestionAdminView;
  retireQuestion: QuestionAdminView;
  pin: { day: string; questionIds: string[] };
  setPerDay: { perDay: number };
}
