/**
 * Questions (题目) of a question bank (题库): their stored shape, what a member may see before
 * answering (never the answer), scoring, and the deterministic ids and order the daily set uses.
 */
export type QuestionType = 'single' | 'multi' | 'judge';

export const TYPE_LABEL: Record<QuestionType, string> = { single: '单选题', multi: '多选题', judge: '判断题' };

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
  options: QuestionOption[];
  /** option ids, sorted */
  answer: string[];
  explanation: string;
  source: string;
  tags: string[];
  difficulty: 1 | 2 | 3;
  status: 'active' | 'retired';
  /** deterministic shuffle key: the daily set walks the bank in this order */
  order: string;
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

/** Same stem in the same bank → same id, so duplicates are caught by the primary key. */
export function questionId(orgId: string, stem: string): string {
  return `q${hash(`${orgId}\u0000${normaliseStem(stem)}`).slice(0, 16)}`;
}

/** A stable pseudo-random position: questions imported together do not arrive together. */
export function orderKey(id: string): string {
  return `${hash(id).slice(0, 8)}${id}`;
}

export function toPublic(q: Pick<StoredQuestion, '_id' | 'type' | 'stem' | 'options' | 'source' | 'tags' | 'difficulty'>): PublicQuestion {
  return { id: q._id, type: q.type, stem: q.stem, options: q.options, source: q.source, tags: q.tags, difficulty: q.difficulty };
}

export const normaliseChoice = (choice: readonly string[]) => [...new Set(choice.map((c) => c.trim().toUpperCase()))].sort();

export function isCorrect(q: Pick<StoredQuestion, 'answer'>, choice: readonly string[]): boolean {
  const c = normaliseChoice(choice);
  const a = [...q.answer].sort();
  return c.length === a.length && c.every((x, i) => x === a[i]);
}

/** A choice that cannot be an answer to this question (unknown option, several on a single). */
export function choiceProblem(q: Pick<StoredQuestion, 'type' | 'options'>, choice: readonly string[]): string | null {
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
  return { id: q._id, correct: isCorrect(q, choice), choice: normaliseChoice(choice), answer: [...q.answer].sort(), explanation: q.explanation };
}
