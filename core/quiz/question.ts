/**
 * Questions (题目) of a question bank (题库): their stored shape, what a member may see before
 * answering (never the answer), scoring, and the deterministic ids and order the daily set uses.
 */
import { fillCorrect, MAX_BLANKS, MAX_FILL_TEXT, normaliseFill } from './fill';

export type QuestionType = 'single' | 'multi' | 'judge' | 'fill';

export const QUESTION_TYPES: readonly QuestionType[] = ['single', 'multi', 'judge', 'fill'];

export const TYPE_LABEL: Record<QuestionType, string> = { single: '单选题', multi: '多选题', judge: '判断题', fill: '填空题' };

export interface QuestionOption {
  id: string;
  text: string;
}

export interface StoredQuestion {
  _id: string;
  /** the org whose bank this is; visible to its subtree */
  orgId: string;
  type: QuestionType;
  stem: string;
  /** empty for a fill question */
  options: QuestionOption[];
  /** option ids, sorted; for a fill question one entry per blank, accepted answers joined by `|` (core/quiz/fill.ts) */
  answer: string[];
  /** may be empty: the app then shows 暂无解析 */
  explanation: string;
  source: string;
  tags: string[];
  difficulty: 1 | 2 | 3;
  status: 'active' | 'retired';
  /** deterministic shuffle key: the daily set walks the bank in this order */
  order: string;
  /** the import that wrote it (a retried batch recognises its own questions) */
  importRun?: string;
  createdAt?: Date | string;
  updatedAt?: Date | string;
}

/** What the app receives before answering: no answer, no explanation. */
export interface PublicQuestion {
  id: string;
  type: QuestionType;
  stem: string;
  options: QuestionOption[];
  source: string;
  tags: string[];
  difficulty: 1 | 2 | 3;
  /** fill questions only: how many texts the member types */
  blanks?: number;
}

export const JUDGE_OPTIONS: QuestionOption[] = [
  { id: 'A', text: '正确' },
  { id: 'B', text: '错误' },
];

/** Stems that differ only in spaces or punctuation width are the same question. */
export function normaliseStem(stem: string): string {
  return stem
    .normalize('NFKC')
    .replace(/[\s\u3000]+/g, '')
    .replace(/[（(]\s*[)）]/g, '()')
    .replace(/[。.？?！!]+$/, '')
    .toLowerCase();
}

/** FNV-1a over UTF-16 code units, two seeds → 16 hex digits; no crypto import so the app can bundle it. */
function hash(s: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193 ^ 0x2f) >>> 0;
    b = (b ^ (b >>> 13)) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

/**
 * Same question in the same bank → same id, so a repeated import is caught by the primary key.
 * `content` (contentKey) tells apart questions that share a generic stem such as “下列说法正确的是（ ）”.
 */
export function questionId(orgId: string, stem: string, content = ''): string {
  return `q${hash(`${orgId}\u0000${normaliseStem(stem)}${content ? `\u0000${content}` : ''}`).slice(0, 16)}`;
}

/** The options and answer of a question, normalised: part of its identity beside the stem. */
export function contentKey(q: Pick<StoredQuestion, 'type' | 'options' | 'answer'>): string {
  const opts = q.type === 'judge' || q.type === 'fill' ? '' : q.options.map((o) => normaliseStem(o.text)).join('\u0001');
  const ans = q.type === 'fill' ? q.answer.map(normaliseFill) : [...q.answer].sort();
  return `${q.type}\u0002${opts}\u0002${ans.join('\u0001')}`;
}

/** A stable pseudo-random position: questions imported together do not arrive together. */
export function orderKey(id: string): string {
  return `${hash(id).slice(0, 8)}${id}`;
}

export function toPublic(q: Pick<StoredQuestion, '_id' | 'type' | 'stem' | 'options' | 'source' | 'tags' | 'difficulty' | 'answer'>): PublicQuestion {
  const out: PublicQuestion = { id: q._id, type: q.type, stem: q.stem, options: q.options, source: q.source, tags: q.tags, difficulty: q.difficulty };
  // the number of blanks, never their answers
  if (q.type === 'fill') out.blanks = q.answer.length;
  return out;
}

export const normaliseChoice = (choice: readonly string[]) => [...new Set(choice.map((c) => c.trim().toUpperCase()))].sort();

/** A fill answer keeps its order and its text; only the outer spaces go. */
export const normaliseAnswer = (q: Pick<StoredQuestion, 'type'>, choice: readonly string[]) =>
  q.type === 'fill' ? choice.map((c) => c.trim()) : normaliseChoice(choice);

export function isCorrect(q: Pick<StoredQuestion, 'answer'> & { type?: QuestionType }, choice: readonly string[]): boolean {
  if (q.type === 'fill') return fillCorrect(q.answer, choice);
  const c = normaliseChoice(choice);
  const a = [...q.answer].sort();
  return c.length === a.length && c.every((x, i) => x === a[i]);
}

/** A choice that cannot be an answer to this question (unknown option, several on a single). */
export function choiceProblem(q: Pick<StoredQuestion, 'type' | 'options'> & { answer?: string[] }, choice: readonly string[]): string | null {
  if (q.type === 'fill') {
    const blanks = q.answer?.length ?? 0;
    if (choice.length !== blanks || blanks > MAX_BLANKS) return `这道题有 ${blanks} 个空，请逐个填写`;
    const empty = choice.findIndex((c) => c.trim() === '');
    if (empty >= 0) return blanks > 1 ? `请填写第 ${empty + 1} 个空` : '请填写答案';
    if (choice.some((c) => c.length > MAX_FILL_TEXT)) return `每个空最多 ${MAX_FILL_TEXT} 个字`;
    return null;
  }
  const c = normaliseChoice(choice);
  if (c.length === 0) return '请选择答案';
  const ids = new Set(q.options.map((o) => o.id));
  const unknown = c.find((x) => !ids.has(x));
  if (unknown) return `没有选项 ${unknown.slice(0, 4)}`;
  if (q.type !== 'multi' && c.length > 1) return '这道题只能选一个答案';
  return null;
}

export interface QuestionResult {
  id: string;
  correct: boolean;
  choice: string[];
  answer: string[];
  explanation: string;
}

export function scoreQuestion(q: StoredQuestion, choice: readonly string[]): QuestionResult {
  const answer = q.type === 'fill' ? [...q.answer] : [...q.answer].sort();
  return { id: q._id, correct: isCorrect(q, choice), choice: normaliseAnswer(q, choice), answer, explanation: q.explanation };
}
