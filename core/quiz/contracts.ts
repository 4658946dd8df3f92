/**
 * Request/response contracts of the `quiz` cloud function, shared by the app (src/api/quiz.ts) and
 * the function. Inputs are zod schemas; outputs are plain types. Nothing sent before an answer
 * carries the answer or the explanation (PublicQuestion).
 */
import { z } from 'zod';
import '../fn/zod-messages';
import { MAX_PER_DAY } from './daily-set';
import { DAY_RE } from '../day';
import { MAX_BLANKS, MAX_FILL_TEXT } from './fill';
import { BANK_FILE_RE, MAX_BANK_ROWS, MAX_EXPLANATION } from './bank';
import type { PublicQuestion, QuestionOption, QuestionResult, QuestionType } from './question';
import type { AwardLine } from '../points/ledger';
import type { BranchParticipation, BranchRank, MemberRank } from './stats';

const qid = z.string().trim().min(1, '缺少题目编号').max(40, '题目编号过长');
const day = z.string().regex(DAY_RE, '日期格式应为 YYYY-MM-DD');
// option ids, or for a fill question the text of each blank (core/quiz/question.ts choiceProblem)
const choice = z.array(z.string().max(MAX_FILL_TEXT, `每个空最多 ${MAX_FILL_TEXT} 个字`)).max(MAX_BLANKS, '答案太多');
const answers = z
  .array(z.object({ questionId: qid, choice }))
  .min(1, '请先作答')
  .max(MAX_PER_DAY, '题目太多');
const tag = z.string().trim().min(1).max(12, '标签最多 12 个字');
const defaultSource = z.string().trim().max(50, '默认出处最多 50 个字').optional();
const weight = z.number().int().min(0, '比例不能小于 0').max(20, '比例最大为 20');

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
  /** a small bank sent inline (≤ 70 KB); larger files go through cloud storage (importBankFile) */
  importBank: z.object({
    fileName: z.string().trim().max(100).regex(BANK_FILE_RE, '只支持 .xlsx、.csv 或 .docx 文件'),
    contentBase64: z
      .string()
      .max(96_000, '文件较大：请通过“上传文件导入”，单个文件可到 10 MB')
      .regex(/^[A-Za-z0-9+/=\s]*$/, '文件内容格式不对'),
    dryRun: z.boolean().default(true),
    defaultSource,
  }),
  /**
   * a bank file the app uploaded to cloud storage (imports/quiz/<openid>/…), imported in batches:
   * call again with `from` = the answer's `next` and the same `runId` until `next` is null
   */
  importBankFile: z.object({
    fileID: z.string().trim().min(1, '缺少文件').max(400, '文件编号过长').regex(/^cloud:\/\//, '文件编号不对'),
    fileName: z.string().trim().max(100).regex(BANK_FILE_RE, '只支持 .xlsx、.csv 或 .docx 文件'),
    dryRun: z.boolean().default(true),
    defaultSource,
    from: z.number().int().min(0).max(MAX_BANK_ROWS).default(0),
    runId: z.string().regex(/^[0-9a-f]{16}$/, '导入编号不对').optional(),
  }),
  editQuestion: z.object({
    id: qid,
    explanation: z.string().trim().min(1, '解析不能为空').max(MAX_EXPLANATION).optional(),
    source: z.string().trim().min(1, '出处不能为空').max(50).optional(),
    tags: z.array(tag).max(5).optional(),
    difficulty: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
  }),
  retireQuestion: z.object({ id: qid, retired: z.boolean().default(true) }),
  pin: z.object({ day, questionIds: z.array(qid).min(1, '至少选择 1 道题').max(MAX_PER_DAY) }),
  /** questions per day, and optionally the mix of types (relative weights; absent: DEFAULT_MIX) */
  setPerDay: z.object({
    perDay: z.number().int().min(1, '每天至少 1 道题').max(MAX_PER_DAY, `每天最多 ${MAX_PER_DAY} 道题`),
    mix: z
      .object({ single: weight, multi: weight, judge: weight, fill: weight })
      .refine((m) => m.single + m.multi + m.judge + m.fill > 0, '至少一种题型的比例大于 0')
      .optional(),
  }),
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
  /** the caller and the set: the page keeps an unsubmitted draft on the device under these */
  memberId: string;
  setId: string;
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
  /** fill questions: the number of blanks */
  blanks?: number;
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
  /** the last 30 days up to today, oldest first: members of the branch who answered each day */
  trend: Array<{ day: string; answered: number; rate: number }>;
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
  health: BankHealth;
  /** the caller's cloud storage folder for bank files (importBankFile reads only from there) */
  importDir: string;
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
  /** what a row number means: a spreadsheet row (行) or a question of a .docx (题) */
  unit: '行' | '题';
  /** the import this call belongs to: send it back with `from` = `next` */
  runId: string;
  /** rows of the file (blank rows not counted) */
  total: number;
  /** rows that can be imported */
  valid: number;
  /** questions written by this call (a dry run: that would be written) */
  created: number;
  /** duplicates skipped by this call (repeats within the file are counted on the first call) */
  skipped: number;
  /** rows that need changes (rows, not problems) */
  needsChanges: number;
  /** the first rows needing changes, each with all its problems */
  errors: Array<{ row: number; message: string }>;
  /** the first duplicates */
  duplicates: Array<{ row: number; message: string }>;
  /** fixed on the way in (a long tag cut, a blank 难度), imported all the same */
  warnings: Array<{ row: number; message: string }>;
  warningCount: number;
  /** the rows that need changes, with a 问题 column, to download (first call only) */
  problemsFile: { fileID: string; url: string } | null;
  /** the file cannot be imported at all */
  fatal: string | null;
  from: number;
  /** the next valid row to import, null when done */
  next: number | null;
}

/** Fresh questions left of one type or topic, and how long they last at the current mix. */
export interface BankHealthRow {
  key: string;
  active: number;
  fresh: number;
  /** whole days this type lasts at the daily mix (types only; null when the mix takes none of it) */
  days: number | null;
}

export interface BankHealth {
  byType: Array<BankHealthRow & { type: QuestionType }>;
  /** the largest topics first (at most 30) */
  byTag: BankHealthRow[];
  /** questions without a topic */
  untagged: { active: number; fresh: number };
  /** the first day the daily set repeats questions at the current questions per day */
  runsOutOn: string;
  mix: Record<QuestionType, number>;
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
  /** rows: ranked members first, then those with no answer this month (rank null); branch: its 参与率 as the branch ranking counts it */
  rankMembers: { day: string; branchName: string; branch: BranchParticipation; rows: MemberRank[]; me: MemberRank | null; meUnranked: boolean };
  rankBranches: { day: string; level: 'community' | 'street'; scopeName: string; rows: BranchRank[] };
  bankStatus: BankStatus;
  listQuestions: { total: number; page: number; questions: QuestionAdminView[] };
  importBank: BankImportReport;
  importBankFile: BankImportReport;
  editQuestion: QuestionAdminView;
  retireQuestion: QuestionAdminView;
  pin: { day: string; questionIds: string[] };
  setPerDay: { perDay: number; mix?: Record<QuestionType, number> };
}
