/**
 * Question bank import (题库导入): the column layout, the template, and row-by-row validation.
 * Pure: the server reads the file into a table of strings (bank-file.ts), this decides what each
 * row means and what is wrong with it, in words an organiser understands ("第 5 行 答案 …").
 */
import { toCsv } from '../sheet/csv';
import { JUDGE_OPTIONS, normaliseStem, orderKey, questionId, type QuestionType, type StoredQuestion } from './question';

export const MAX_BANK_ROWS = 500;
export const OPTION_LETTERS = ['A', 'B', 'C', 'D', 'E', 'F'] as const;

export const BANK_COLUMNS = ['题型', '题干', '选项A', '选项B', '选项C', '选项D', '选项E', '选项F', '答案', '解析', '出处', '标签', '难度'] as const;

const TEMPLATE_ROWS = [
  BANK_COLUMNS as unknown as string[],
  ['单选', '党章规定，党员必须履行的义务共有几项？', '六项', '七项', '八项', '九项', '', '', 'C', '党章第三条规定了党员必须履行的八项义务。', '党章', '党章,党员义务', '1'],
  ['多选', '党在长期实践中形成的三大优良作风是（ ）。', '理论联系实际', '密切联系群众', '批评与自我批评', '艰苦奋斗', '', '', 'ABC', '三大优良作风是理论联系实际、密切联系群众、批评与自我批评。', '党史', '党史,作风建设', '2'],
  ['判断', '党员有权在党的会议上对党的任何组织和任何党员提出有根据的批评。', '', '', '', '', '', '', '正确', '这是党章规定的党员权利之一。', '党章', '党章,党员权利', '1'],
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

export interface BankValidation {
  total: number;
  rows: BankRow[];
  errors: BankRowError[];
  /** rows whose stem repeats an earlier row of the same file */
  duplicatesInFile: BankRowError[];
}

const TYPES: Record<string, QuestionType> = {
  单选: 'single', 单选题: 'single', 单项选择: 'single', 单项选择题: 'single',
  多选: 'multi', 多选题: 'multi', 多项选择: 'multi', 多项选择题: 'multi',
  判断: 'judge', 判断题: 'judge',
};
const JUDGE_TRUE = new Set(['正确', '对', '√', '是', 'A', 'T', 'TRUE', 'Y']);
const JUDGE_FALSE = new Set(['错误', '错', '×', 'X', '否', 'B', 'F', 'FALSE', 'N']);
const DIFFICULTY: Record<string, 1 | 2 | 3> = { '1': 1, '2': 2, '3': 3, 易: 1, 简单: 1, 中: 2, 中等: 2, 难: 3, 困难: 3, '': 2 };

const clean = (v: string | undefined) => (v ?? '').replace(/\u00a0/g, ' ').trim();

export function splitTags(raw: string): string[] {
  return [...new Set(raw.split(/[,，、;；\s]+/).map((t) => t.trim()).filter(Boolean))];
}

export function validateBank(table: string[][]): BankValidation {
  const out: BankValidation = { total: 0, rows: [], errors: [], duplicatesInFile: [] };
  const header = (table[0] ?? []).map((h) => clean(h).replace(/\s/g, ''));
  const missing = BANK_COLUMNS.filter((c, i) => header[i] !== c);
  if (missing.length) {
    out.errors.push({ row: 1, message: `表头应为：${BANK_COLUMNS.join('、')}（请使用模板，列的顺序不能改）` });
    return out;
  }
  const body = table.slice(1);
  const seen = new Map<string, number>();
  body.forEach((cells, i) => {
    const rowNo = i + 2;
    if (cells.every((c) => clean(c) === '')) return;
    out.total++;
    if (out.total > MAX_BANK_ROWS) {
      if (out.total === MAX_BANK_ROWS + 1) out.errors.push({ row: rowNo, message: `一次最多导入 ${MAX_BANK_ROWS} 道题，请拆分文件` });
      return;
    }
    const errs: string[] = [];
    const [typeRaw, stemRaw, ...rest] = cells.map(clean);
    const optionCells = rest.slice(0, 6);
    const [answerRaw, explanation, source, tagsRaw, diffRaw] = [rest[6], rest[7], rest[8], rest[9], rest[10]].map(clean);
    const type = TYPES[typeRaw.replace(/\s/g, '')];
    if (!type) errs.push(`题型“${typeRaw.slice(0, 10)}”不对，应为 单选、多选 或 判断`);
    const stem = stemRaw;
    if (!stem) errs.push('题干不能为空');
    else if (stem.length > 300) errs.push('题干最多 300 个字');
    let options: { id: string; text: string }[] = [];
    let answer: string[] = [];
    if (type === 'judge') {
      options = JUDGE_OPTIONS;
      const a = answerRaw.toUpperCase();
      if (JUDGE_TRUE.has(a)) answer = ['A'];
      else if (JUDGE_FALSE.has(a)) answer = ['B'];
      else errs.push('判断题的答案应为“正确”或“错误”');
    } else if (type) {
      const lastFilled = optionCells.reduce((last, c, idx) => (c ? idx : last), -1);
      const gaps = optionCells.slice(0, lastFilled + 1).some((c) => !c);
      if (gaps) errs.push('选项要从 A 开始连续填写，中间不能空');
      options = optionCells.slice(0, lastFilled + 1).map((text, idx) => ({ id: OPTION_LETTERS[idx], text }));
      if (options.length < 2) errs.push('至少需要 2 个选项');
      if (options.some((o) => o.text.length > 100)) errs.push('每个选项最多 100 个字');
      const letters = answerRaw.toUpperCase().replace(/[\s,，、;；]/g, '').split('');
      answer = [...new Set(letters)].sort();
      if (!answer.length) errs.push('答案不能为空');
      else if (answer.some((l) => !options.find((o) => o.id === l))) errs.push(`答案“${answerRaw.slice(0, 10)}”不在选项之中`);
      else if (type === 'single' && answer.length !== 1) errs.push('单选题只能有一个答案');
      else if (type === 'multi' && answer.length < 2) errs.push('多选题至少有两个答案');
    }
    if (!explanation) errs.push('解析不能为空：答题后要给党员看');
    else if (explanation.length > 500) errs.push('解析最多 500 个字');
    if (!source) errs.push('出处不能为空（例如 党章、党史、二十大报告）');
    else if (source.length > 50) errs.push('出处最多 50 个字');
    const tags = splitTags(tagsRaw);
    if (tags.length > 5) errs.push('标签最多 5 个');
    if (tags.some((t) => t.length > 12)) errs.push('每个标签最多 12 个字');
    const difficulty = DIFFICULTY[diffRaw];
    if (!difficulty) errs.push('难度应为 1、2、3（或 易、中、难）');
    if (errs.length) {
      errs.forEach((message) => out.errors.push({ row: rowNo, message }));
      return;
    }
    const key = normaliseStem(stem);
    const first = seen.get(key);
    if (first !== undefined) {
      out.duplicatesInFile.push({ row: rowNo, message: `题干与第 ${first} 行重复` });
      return;
    }
    seen.set(key, rowNo);
    out.rows.push({ row: rowNo, type: type!, stem, options, answer, explanation, source, tags, difficulty });
  });
  return out;
}

export function toStoredQuestion(orgId: string, r: Omit<BankRow, 'row'>, now: Date): StoredQuestion {
  const _id = questionId(orgId, r.stem);
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
