/** Bank import: columns found by header in any layout, rows read or refused one by one, fixes with warnings, the template. */
import fc from 'fast-check';
import { BANK_COLUMNS, BANK_TEMPLATE_CSV, BANK_TEMPLATE_ROWS, MAX_BANK_ROWS, splitOptionsCell, toStoredQuestion, validateBank } from '../../core/quiz/bank';
import { readBankFile } from '../../core/quiz/bank-file';
import { docxQuestions } from '../../core/quiz/bank-docx';
import { parseCsv } from '../../core/sheet/csv';
import { demoQuestions, DEMO_QUESTIONS } from '../../seed/quiz';
import { csvOf, docxOf, generateBank, templateRows, variantRows, xlsxOf } from '../fixtures/bank/generate';

const header = [...BANK_COLUMNS];
const row = (over: Partial<Record<(typeof BANK_COLUMNS)[number], string>>) => {
  const base: Record<string, string> = { 题型: '单选', 题干: '题干', 选项A: '甲', 选项B: '乙', 选项C: '', 选项D: '', 选项E: '', 选项F: '', 答案: 'A', 解析: '', 出处: '', 标签: '', 难度: '' };
  return BANK_COLUMNS.map((c) => over[c] ?? base[c]);
};

test('the template parses back to its own rows and validates cleanly, 填空 included', () => {
  const table = parseCsv(BANK_TEMPLATE_CSV);
  expect(table.filter((r) => r.some(Boolean))).toEqual(BANK_TEMPLATE_ROWS);
  const v = validateBank(table);
  expect(v.errors).toEqual([]);
  expect(v.rows.map((r) => r.type)).toEqual(['single', 'multi', 'judge', 'fill']);
  expect(v.rows[1].answer).toEqual(['A', 'B', 'C']);
  expect(v.rows[2]).toMatchObject({ answer: ['A'], options: [{ id: 'A', text: '正确' }, { id: 'B', text: '错误' }] });
  expect(v.rows[3]).toMatchObject({ options: [], answer: ['1921', '上海|上海市'], explanation: '' });
});

test('each bad row is reported with its row number and every reason; the good rows still import', () => {
  const v = validateBank([
    header,
    row({ 题型: '问答' }),
    row({ 题干: '' }),
    row({ 答案: 'C' }),
    row({ 题型: '多选', 答案: 'A' }),
    row({ 题型: '单选', 选项C: '丙', 选项D: '丁', 答案: 'AB' }),
    row({ 选项B: '', 选项C: '丙' }),
    row({ 题型: '判断', 答案: '也许' }),
    row({ 题型: '填空', 题干: '（ ）和（ ）', 答案: '甲' }),
    row({ 题干: '好的一行' }),
  ]);
  const byRow = (n: number) => v.invalid.find((r) => r.row === n)?.problems ?? [];
  expect(byRow(2)).toContain('题型“问答”不对，应为 单选、多选、判断 或 填空');
  expect(byRow(3)).toContain('题干不能为空');
  expect(byRow(4)[0]).toContain('答案“C”不在选项之中');
  expect(byRow(5)).toContain('多选题至少有两个答案');
  expect(byRow(6)).toContain('单选题只能有一个答案');
  expect(byRow(7)).toContain('选项要从 A 开始连续填写，中间不能空');
  expect(byRow(8)[0]).toContain('判断题的答案“也许”看不懂');
  expect(byRow(9)[0]).toContain('题干有 2 个空，答案却有 1 个');
  expect(v.invalid).toHaveLength(8);
  expect(v.rows.map((r) => r.row)).toEqual([10]);
  // the report file keeps the row as it was, cell for cell
  expect(v.invalid[0].cells).toEqual(row({ 题型: '问答' }));
});

test('解析 and 出处 are optional; the default 出处 fills the gaps; long or many tags and odd 难度 are fixed with a warning', () => {
  const v = validateBank(
    [
      header,
      row({ 题干: '一', 标签: '党史，党章、二十大报告；党的建设 组织生活/党员教育' }),
      row({ 题干: '二', 标签: '中国特色社会主义进入新时代以来的历史性成就', 出处: '党章' }),
      row({ 题干: '三', 难度: '很难说' }),
    ],
    { defaultSource: '党史题库' },
  );
  expect(v.errors).toEqual([]);
  expect(v.rows[0]).toMatchObject({ source: '党史题库', explanation: '', tags: ['党史', '党章', '二十大报告', '党的建设', '组织生活'] });
  expect(v.rows[1]).toMatchObject({ source: '党章', tags: ['中国特色社会主义进入新时'] });
  expect(v.rows[2].difficulty).toBe(2);
  expect(v.warnings.map((w) => w.row)).toEqual([2, 3, 4]);
});

test('columns found by header in any order, with the usual names, one 选项 column, no 题型', () => {
  const v = validateBank([
    ['序号', '题目（必填）', '正确答案', '选项', '知识点', '难易度', '答案解析'],
    ['1', '下列说法正确的是（ ）', 'B', 'A.甲|B.乙|C.丙', '党史', '易', ''],
    ['2', '下列说法正确的是（ ）', 'AC', 'A、甲\nB、乙\nC、丙', '', '难', '因为'],
    ['3', '党员必须履行义务。（ ）', '√', '', '', '', ''],
    ['4', '党的宗旨是为（ ）服务', '人民|人民群众', '', '', '', ''],
  ]);
  expect(v.errors).toEqual([]);
  expect(v.rows.map((r) => [r.type, r.answer])).toEqual([
    ['single', ['B']],
    ['multi', ['A', 'C']],
    ['judge', ['A']],
    ['fill', ['人民|人民群众']],
  ]);
  expect(v.rows[0].options.map((o) => o.text)).toEqual(['甲', '乙', '丙']);
  // the same generic stem with other options is another question, not a duplicate
  expect(v.duplicatesInFile).toEqual([]);
  expect(splitOptionsCell('A. 甲 B. 乙 C. 丙')).toEqual(['甲', '乙', '丙']);
});

test('a repeated question in the same file is a duplicate of the earlier row; ids are stable', () => {
  const v = validateBank([header, row({ 题干: '党的根本宗旨是什么？' }), row({ 题干: '党的根本宗旨是什么?' }), row({ 题干: '党的根本宗旨是什么？', 答案: 'B' })]);
  expect(v.duplicatesInFile).toEqual([{ row: 3, message: '与第 2 行是同一道题' }]);
  expect(v.rows).toHaveLength(2);
  const now = new Date();
  expect(toStoredQuestion('d1', v.rows[0], now)._id).toBe(toStoredQuestion('d1', { ...v.rows[0], stem: ' 党的根本宗旨是什么 ' }, now)._id);
  expect(toStoredQuestion('d1', v.rows[0], now)._id).not.toBe(toStoredQuestion('d1', v.rows[1], now)._id);
});

test('no header, an empty file or too many rows: one clear error for the whole file', () => {
  expect(validateBank([['姓名', '手机号']]).fatal).toContain('找不到表头');
  expect(validateBank([header]).fatal).toBe('文件里没有题目');
  const many = [header, ...Array.from({ length: 12 }, (_, i) => row({ 题干: `题${i}` }))];
  const v = validateBank(many, { maxRows: 10 });
  expect(v.fatal).toBe('一个文件最多 10 道题，请拆分后分批导入');
  expect(v.rows).toEqual([]);
  expect(MAX_BANK_ROWS).toBeGreaterThanOrEqual(10_000);
});

test('hostile cells never throw', () => {
  fc.assert(
    fc.property(fc.array(fc.array(fc.string({ maxLength: 30 }), { maxLength: 15 }), { maxLength: 20 }), (cells) => {
      const v = validateBank([header, ...cells]);
      expect(v.rows.length + v.invalid.length + v.duplicatesInFile.length).toBeLessThanOrEqual(v.total);
    }),
    { numRuns: 200 },
  );
});

test('a .docx numbered list: sections give the type, options two to a line, 答案 and 解析 lines', () => {
  const d = docxQuestions(['一、单项选择题', '1. 党的最高理想是（ ）。', 'A. 共产主义  B. 小康', 'C. 丙    D. 丁', '答案：A', '解析：党章总纲。', '二、判断题', '2、党员要按期交纳党费。（ ）', '答案：√', '三、填空题', '3．中共一大于____年召开。', '答案：1921']);
  const v = validateBank(d.table, { rowNumber: (i) => d.numbers[i] });
  expect(v.errors).toEqual([]);
  expect(v.rows.map((r) => [r.row, r.type, r.options.length, r.answer, r.explanation])).toEqual([
    [1, 'single', 4, ['A'], '党章总纲。'],
    [2, 'judge', 2, ['A'], ''],
    [3, 'fill', 0, ['1921'], ''],
  ]);
});

describe('a generated bank of 1,500 questions in every layout and encoding', () => {
  const bank = generateBank(1500);
  const expectBank = (v: ReturnType<typeof validateBank>, withBad: boolean) => {
    expect(v.fatal).toBeNull();
    expect(v.rows).toHaveLength(1500);
    expect(new Set(v.rows.map((r) => r.type))).toEqual(new Set(['single', 'multi', 'judge', 'fill']));
    if (withBad) {
      expect(v.invalid).toHaveLength(bank.bad.length);
      bank.bad.forEach((b, k) => expect(v.invalid[k].problems.join('；')).toContain(b.problem));
      expect(v.duplicatesInFile).toHaveLength(bank.repeats.length);
    }
  };
  test('.xlsx in the template layout', async () => {
    const t = await readBankFile('bank.xlsx', await xlsxOf(templateRows(bank)));
    expectBank(validateBank(t.table, { defaultSource: '党史题库' }), true);
  });
  test('.csv in UTF-8 and in GB18030 read the same', async () => {
    const rows = templateRows(bank);
    const a = await readBankFile('bank.csv', csvOf(rows, 'utf8'));
    const b = await readBankFile('bank.csv', csvOf(rows, 'gb18030'));
    expect(b.table).toEqual(a.table);
    expectBank(validateBank(b.table), true);
  });
  test('another layout: other headers, one 选项 column, no 题型', async () => {
    const t = await readBankFile('bank.csv', csvOf(variantRows(bank), 'gb18030'));
    const v = validateBank(t.table);
    expectBank(v, false);
    expect(v.invalid).toEqual([]);
  });
  test('.docx question list', async () => {
    const t = await readBankFile('bank.docx', await docxOf(bank.questions));
    expect(t.unit).toBe('题');
    expectBank(validateBank(t.table, { rowNumber: t.rowNumber }), false);
  });
});

test('the demo bank has at least 60 well-formed questions with distinct ids', () => {
  const qs = demoQuestions('d1', new Date());
  expect(qs.length).toBeGreaterThanOrEqual(60);
  expect(new Set(qs.map((q) => q._id)).size).toBe(qs.length);
  for (const q of qs) {
    expect(q.answer.length).toBeGreaterThan(0);
    for (const a of q.answer) expect(q.options.map((o) => o.id)).toContain(a);
    if (q.type === 'single' || q.type === 'judge') expect(q.answer).toHaveLength(1);
    if (q.type === 'multi') expect(q.answer.length).toBeGreaterThanOrEqual(2);
    expect(q.explanation.length).toBeGreaterThan(5);
  }
  const types = new Set(DEMO_QUESTIONS.map((r) => r[0]));
  expect([...types].sort()).toEqual(['judge', 'multi', 'single']);
});

test('the shipped template files are the template the import reads', async () => {
  const fs = await import('fs');
  const path = await import('path');
  const dir = path.join(__dirname, '..', '..', 'seed');
  expect(fs.readFileSync(path.join(dir, 'quiz-bank-template.csv'), 'utf8')).toBe(BANK_TEMPLATE_CSV);
  const t = await readBankFile('t.xlsx', fs.readFileSync(path.join(dir, 'quiz-bank-template.xlsx')));
  expect(validateBank(t.table).rows).toHaveLength(4);
});
