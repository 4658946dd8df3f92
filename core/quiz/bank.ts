/**
 * Question bank import (题库导入): what each row of a bank means, whatever its layout, and what is
 * wrong with it in words an organiser understands ("第 5 行：答案 …"). Pure: the server reads the file
 * into a table of strings (bank-file.ts), this finds the columns by their header names, fixes what
 * can be fixed without guessing (long tags, a missing 出处, blank 难度) with a warning, and refuses
 * only the rows it cannot read; the others are imported.
 */
import { toCsv } from '../sheet/csv';
import { countBlanks, MAX_BLANKS, parseFillAnswer } from './fill';
import { contentKey, JUDGE_OPTIONS, normaliseStem, orderKey, questionId, type QuestionType, type StoredQuestion } from './question';

/** rows per file: a district's whole bank in one go */
export const MAX_BANK_ROWS = 20_000;
/** the files a bank may come in */
export const BANK_FILE_RE = /\.(xlsx|csv|docx)$/i;
export const OPTION_LETTERS = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
export const MAX_STEM = 500;
export const MAX_OPTION = 200;
export const MAX_EXPLANATION = 1000;
export const MAX_SOURCE = 50;
export const MAX_TAGS = 5;
export const MAX_TAG = 12;

/** The template's header; any order and the usual variants (BANK_ALIASES) are read as well. */
export const BANK_COLUMNS = ['题型', '题干', '选项A', '选项B', '选项C', '选项D', '选项E', '选项F', '答案', '解析', '出处', '标签', '难度'] as const;

const TEMPLATE_ROWS = [
  BANK_COLUMNS as unknown as string[],
  ['单选', '党章规定，党员必须履行的义务共有几项？', '六项', '七项', '八项', '九项', '', '', 'C', '党章第三条规定了党员必须履行的八项义务。', '党章', '党章,党员义务', '1'],
  ['多选', '党在长期实践中形成的三大优良作风是（ ）。', '理论联系实际', '密切联系群众', '批评与自我批评', '艰苦奋斗', '', '', 'ABC', '三大优良作风是理论联系实际、密切联系群众、批评与自我批评。', '党史', '党史,作风建设', '2'],
  ['判断', '党员有权在党的会议上对党的任何组织和任何党员提出有根据的批评。', '', '', '', '', '', '', '正确', '这是党章规定的党员权利之一。', '党章', '党章,党员权利', '1'],
  ['填空', '中国共产党第一次全国代表大会于（ ）年在（ ）召开。', '', '', '', '', '', '', '1921；上海|上海市', '', '党史', '党史', '1'],
];

/** The template members of staff download: UTF-8 with BOM so Excel shows the Chinese correctly. */
export const BANK_TEMPLATE_CSV = toCsv(TEMPLATE_ROWS);
export const BANK_TEMPLATE_ROWS = TEMPLATE_ROWS;

export interface BankRowError {
  row: number;
  message: string;
}

export interface BankRow {
  row: number;
  type: QuestionType;
  stem: string;
  options: { id: string; text: string }[];
  answer: string[];
  explanation: string;
  source: string;
  tags: string[];
  difficulty: 1 | 2 | 3;
}

/** A row that needs changes: its cells as read (for the report file) and every problem found. */
export interface InvalidRow {
  row: number;
  cells: string[];
  problems: string[];
}

export interface BankValidation {
  /** data rows seen (blank rows not counted) */
  total: number;
  /** the header row as found (the report file repeats it) */
  header: string[];
  rows: BankRow[];
  invalid: InvalidRow[];
  /** every problem, one entry per problem (invalid rows and the file itself) */
  errors: BankRowError[];
  /** fixed on the way in (a tag cut to 12 characters, a default 出处): imported all the same */
  warnings: BankRowError[];
  /** rows that repeat an earlier row of the same file */
  duplicatesInFile: BankRowError[];
  /** the file cannot be imported at all (no header, too many rows) */
  fatal: string | null;
}

export interface BankOptions {
  /** 出处 for rows without one (the organiser sets it on import) */
  defaultSource?: string;
  maxRows?: number;
  /** the number a person sees for the table row at `index` (default: the spreadsheet row, index + 1) */
  rowNumber?: (index: number) => number;
}

type Field = 'type' | 'stem' | 'options' | 'answer' | 'explanation' | 'source' | 'tags' | 'difficulty';

/** Header names as banks write them (compared without spaces, asterisks and bracketed notes). */
export const BANK_ALIASES: Record<Field, string[]> = {
  type: ['题型', '类型', '题目类型', '试题类型', '题类'],
  stem: ['题干', '题目', '试题', '题目内容', '试题内容', '问题', '题目名称', '内容'],
  options: ['选项', '备选项', '选项内容', '答案选项', '所有选项'],
  answer: ['答案', '正确答案', '参考答案', '标准答案'],
  explanation: ['解析', '答案解析', '试题解析', '题目解析', '解释', '说明'],
  source: ['出处', '来源', '题目来源', '出自'],
  tags: ['标签', '知识点', '分类', '题目分类', '专题', '考点', '章节'],
  difficulty: ['难度', '难易度', '难易程度', '难度等级'],
};

const TYPES: Record<string, QuestionType> = {
  单选: 'single', 单选题: 'single', 单项选择: 'single', 单项选择题: 'single', 单项: 'single', 单: 'single', 选择题: 'single',
  多选: 'multi', 多选题: 'multi', 多项选择: 'multi', 多项选择题: 'multi', 多项: 'multi', 多: 'multi', 不定项: 'multi', 不定项选择题: 'multi',
  判断: 'judge', 判断题: 'judge', 是非题: 'judge', 对错题: 'judge',
  填空: 'fill', 填空题: 'fill',
};
const JUDGE_TRUE = new Set(['正确', '对', '√', '✓', '✔', '是', 'A', 'T', 'TRUE', 'Y', 'YES', '1']);
const JUDGE_FALSE = new Set(['错误', '错', '×', 'X', '✗', '✘', '否', 'B', 'F', 'FALSE', 'N', 'NO', '0']);
const SURE_JUDGE = /^(正确|错误|对|错|√|×|✓|✔|✗|✘)$/;
const DIFFICULTY: Record<string, 1 | 2 | 3> = {
  '1': 1, '2': 2, '3': 3, '4': 3, '5': 3, 易: 1, 简单: 1, 容易: 1, 较易: 1, 低: 1, 中: 2, 中等: 2, 一般: 2, 适中: 2, 难: 3, 困难: 3, 较难: 3, 高: 3,
};

const clean = (v: string | undefined) => (v ?? '').replace(/[\u00a0\u200b\ufeff]/g, ' ').trim();
const headerKey = (h: string) =>
  clean(h)
    .normalize('NFKC')
    .replace(/[(（【[][^)）】\]]*[)）】\]]/g, '')
    .replace(/[\s*＊:：]/g, '')
    .toUpperCase();

/** Tags as a list: split on the usual separators, trimmed, repeats dropped. */
export function splitTags(raw: string): string[] {
  return [...new Set(raw.split(/[,，、;；/|｜\s]+/).map((t) => t.trim()).filter(Boolean))];
}

/** `A. 甲` / `A、甲` / `(A)甲` → `甲`: the letter a bank writes before an option's text. */
const OPTION_LABEL = /^[(（]?[A-Fa-f][)）]?\s*[.．、:：)）]\s*|^[(（][A-Fa-f][)）]\s*/;
const stripLabel = (s: string) => s.replace(OPTION_LABEL, '').trim();

/** One 选项 cell holding every option: one per line, or separated by `|`, or `A.甲 B.乙` on one line. */
export function splitOptionsCell(cell: string): string[] {
  const c = clean(cell);
  if (!c) return [];
  let parts = c.split(/\s*[\r\n|｜]+\s*/);
  if (parts.length === 1) parts = c.split(/\s+(?=[A-Fa-f]\s*[.．、:：])/);
  return parts.map(stripLabel).filter(Boolean);
}

interface Columns {
  index: number;
  at: Partial<Record<Exclude<Field, 'options' | 'answer'>, number>>;
  /** 选项A…选项F in letter order, or one 选项 column */
  letters: number[];
  optionsCell?: number;
  /** 答案, or 答案1, 答案2 … for the blanks of a fill question */
  answers: number[];
}

function findColumns(table: string[][]): Columns | null {
  for (let i = 0; i < Math.min(table.length, 10); i++) {
    const keys = table[i].map(headerKey);
    const col: Columns = { index: i, at: {}, letters: [], answers: [] };
    const letterAt: Record<string, number> = {};
    keys.forEach((k, j) => {
      if (!k) return;
      const letter = /^(?:选项)?([A-F])(?:选项|项)?$/.exec(k);
      if (letter) {
        letterAt[letter[1]] ??= j;
        return;
      }
      if (BANK_ALIASES.answer.includes(k) || /^(?:答案|正确答案|参考答案)\d+$/.test(k)) {
        col.answers.push(j);
        return;
      }
      if (BANK_ALIASES.options.includes(k)) {
        col.optionsCell ??= j;
        return;
      }
      for (const f of ['type', 'stem', 'explanation', 'source', 'tags', 'difficulty'] as const) {
        if (col.at[f] === undefined && BANK_ALIASES[f].includes(k)) col.at[f] = j;
      }
    });
    col.letters = OPTION_LETTERS.filter((l) => letterAt[l] !== undefined).map((l) => letterAt[l]);
    if (col.at.stem !== undefined && col.answers.length) return col;
  }
  return null;
}

function parseDifficulty(raw: string): 1 | 2 | 3 | null {
  const s = raw.replace(/\s/g, '');
  if (!s) return 2;
  if (/^[★☆⭐]+$/u.test(s)) return DIFFICULTY[String(Math.min(3, [...s.replace(/☆/g, '')].length || 1))] ?? 2;
  return DIFFICULTY[s] ?? null;
}

/**
 * Reads every row of a bank table. A row is imported when it can be read; otherwise it lands in
 * `invalid` with all its problems at once, so the organiser fixes the report file in one go.
 */
export function validateBank(table: string[][], opts: BankOptions = {}): BankValidation {
  const maxRows = opts.maxRows ?? MAX_BANK_ROWS;
  const defaultSource = clean(opts.defaultSource).slice(0, MAX_SOURCE);
  const out: BankValidation = { total: 0, header: [], rows: [], invalid: [], errors: [], warnings: [], duplicatesInFile: [], fatal: null };
  const cols = findColumns(table);
  if (!cols) {
    out.fatal = `找不到表头：第一行应包含“题干”（或“题目”）和“答案”两列，其余列可选（可下载模板：${BANK_COLUMNS.join('、')}）`;
    out.errors.push({ row: 1, message: out.fatal });
    return out;
  }
  out.header = table[cols.index].map(clean);
  const seen = new Map<string, number>();
  for (let i = cols.index + 1; i < table.length; i++) {
    const cells = table[i] ?? [];
    if (cells.every((c) => clean(c) === '')) continue;
    out.total++;
    if (out.total > maxRows) {
      out.fatal = `一个文件最多 ${maxRows} 道题，请拆分后分批导入`;
      out.errors.push({ row: opts.rowNumber ? opts.rowNumber(i) : i + 1, message: out.fatal });
      out.rows = [];
      out.invalid = [];
      return out;
    }
    const rowNo = opts.rowNumber ? opts.rowNumber(i) : i + 1;
    const get = (f: keyof Columns['at']) => (cols.at[f] === undefined ? '' : clean(cells[cols.at[f]!]));
    const problems: string[] = [];
    const warn = (message: string) => out.warnings.push({ row: rowNo, message });

    const stem = get('stem');
    if (!stem) problems.push('题干不能为空');
    else if (stem.length > MAX_STEM) problems.push(`题干最多 ${MAX_STEM} 个字（现有 ${stem.length} 个）`);

    const optionTexts = cols.letters.length ? cols.letters.map((j) => stripLabel(clean(cells[j]))) : cols.optionsCell !== undefined ? splitOptionsCell(cells[cols.optionsCell] ?? '') : [];
    const lastFilled = optionTexts.reduce((last, c, idx) => (c ? idx : last), -1);
    const filled = optionTexts.slice(0, lastFilled + 1);
    const answerCells = cols.answers.map((j) => clean(cells[j]));
    const answerRaw = answerCells.filter(Boolean).join('；');
    const answerUpper = answerRaw.normalize('NFKC').toUpperCase().replace(/\s/g, '');

    const typeRaw = get('type').replace(/\s/g, '');
    let type: QuestionType | undefined = typeRaw ? TYPES[typeRaw] ?? TYPES[typeRaw.replace(/题$/, '')] : undefined;
    if (typeRaw && !type) problems.push(`题型“${typeRaw.slice(0, 10)}”不对，应为 单选、多选、判断 或 填空`);
    if (!typeRaw) {
      // no 题型: what the row itself says (a judge stem often ends in “（ ）” too, so √/× decide first)
      const judgeLike = JUDGE_TRUE.has(answerUpper) || JUDGE_FALSE.has(answerUpper);
      if (!filled.length) type = SURE_JUDGE.test(answerUpper) || (judgeLike && countBlanks(stem) === 0) ? 'judge' : 'fill';
      else type = answerUpper.replace(/[,，、;；]/g, '').length > 1 ? 'multi' : 'single';
    }

    let options: { id: string; text: string }[] = [];
    let answer: string[] = [];
    if (type === 'judge') {
      options = JUDGE_OPTIONS;
      if (JUDGE_TRUE.has(answerUpper)) answer = ['A'];
      else if (JUDGE_FALSE.has(answerUpper)) answer = ['B'];
      else problems.push(answerRaw ? `判断题的答案“${answerRaw.slice(0, 10)}”看不懂，应为 对/错、√/× 或 正确/错误` : '答案不能为空');
    } else if (type === 'fill') {
      answer = parseFillAnswer(cols.answers.length > 1 ? answerCells : [answerRaw]);
      const blanks = countBlanks(stem);
      if (!answer.length) problems.push('答案不能为空');
      else if (answer.length > MAX_BLANKS) problems.push(`填空题最多 ${MAX_BLANKS} 个空`);
      else if (blanks > 0 && blanks !== answer.length) problems.push(`题干有 ${blanks} 个空，答案却有 ${answer.length} 个（多个空的答案用“；”分开）`);
      else if (blanks === 0 && answer.length > 1) problems.push('题干里没有标出空，请用（ ）或 ____ 标出每个空');
      else if (answer.some((a) => a.length > 100)) problems.push('填空题每个空的答案最多 100 个字');
    } else if (type) {
      if (filled.some((c) => !c)) problems.push('选项要从 A 开始连续填写，中间不能空');
      options = filled.map((text, idx) => ({ id: OPTION_LETTERS[idx], text }));
      if (optionTexts.length > OPTION_LETTERS.length) problems.push('最多 6 个选项（A–F）');
      if (options.length < 2) problems.push('至少需要 2 个选项');
      if (options.some((o) => o.text.length > MAX_OPTION)) problems.push(`每个选项最多 ${MAX_OPTION} 个字`);
      const letters = answerUpper.replace(/[,，、;；.．]/g, '').split('').filter(Boolean);
      answer = [...new Set(letters)].sort();
      if (!answer.length) problems.push('答案不能为空');
      else if (answer.some((l) => !options.find((o) => o.id === l))) problems.push(`答案“${answerRaw.slice(0, 10)}”不在选项之中（答案请写选项字母，如 A 或 ABD）`);
      else if (type === 'single' && answer.length !== 1) problems.push('单选题只能有一个答案');
      else if (type === 'multi' && answer.length < 2) problems.push('多选题至少有两个答案');
    }

    const explanation = get('explanation');
    if (explanation.length > MAX_EXPLANATION) problems.push(`解析最多 ${MAX_EXPLANATION} 个字`);

    let source = get('source');
    if (!source) source = defaultSource;
    else if (source.length > MAX_SOURCE) {
      warn(`出处超过 ${MAX_SOURCE} 个字，已截断`);
      source = source.slice(0, MAX_SOURCE);
    }

    let tags = splitTags(get('tags'));
    if (tags.some((t) => t.length > MAX_TAG)) {
      warn(`标签超过 ${MAX_TAG} 个字，已截断：${tags.filter((t) => t.length > MAX_TAG)[0].slice(0, 20)}`);
      tags = [...new Set(tags.map((t) => t.slice(0, MAX_TAG)))];
    }
    if (tags.length > MAX_TAGS) {
      warn(`标签超过 ${MAX_TAGS} 个，只保留前 ${MAX_TAGS} 个`);
      tags = tags.slice(0, MAX_TAGS);
    }

    let difficulty = parseDifficulty(get('difficulty'));
    if (!difficulty) {
      warn(`难度“${get('difficulty').slice(0, 6)}”看不懂，按“中”导入`);
      difficulty = 2;
    }

    if (problems.length) {
      out.invalid.push({ row: rowNo, cells: out.header.map((_, j) => clean(cells[j])), problems });
      problems.forEach((message) => out.errors.push({ row: rowNo, message }));
      continue;
    }
    const row: BankRow = { row: rowNo, type: type!, stem, options, answer, explanation, source, tags, difficulty };
    const key = `${normaliseStem(stem)}\u0000${contentKey(row)}`;
    const firstRow = seen.get(key);
    if (firstRow !== undefined) {
      out.duplicatesInFile.push({ row: rowNo, message: `与第 ${firstRow} 行是同一道题` });
      continue;
    }
    seen.set(key, rowNo);
    out.rows.push(row);
  }
  if (out.total === 0) {
    out.fatal = '文件里没有题目';
    out.errors.push({ row: cols.index + 2, message: out.fatal });
  }
  return out;
}

export function toStoredQuestion(orgId: string, r: Omit<BankRow, 'row'>, now: Date): StoredQuestion {
  const _id = questionId(orgId, r.stem, contentKey(r));
  return {
    _id,
    orgId,
    type: r.type,
    stem: r.stem,
    options: r.options,
    answer: r.answer,
    explanation: r.explanation,
    source: r.source,
    tags: r.tags,
    difficulty: r.difficulty,
    status: 'active',
    order: orderKey(_id),
    createdAt: now,
    updatedAt: now,
  };
}

/** How many rows need changes, and the first problems in plain words for the page. */
export function firstProblems(v: Pick<BankValidation, 'invalid'>, n = 20): BankRowError[] {
  return v.invalid.slice(0, n).map((r) => ({ row: r.row, message: r.problems.join('；') }));
}
