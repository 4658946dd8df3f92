/** Bank import validation: the column layout, row-by-row messages, duplicates, the template. */
import fc from 'fast-check';
import { BANK_COLUMNS, BANK_TEMPLATE_CSV, BANK_TEMPLATE_ROWS, MAX_BANK_ROWS, validateBank } from '../../core/quiz/bank';
import { parseCsv } from '../../core/sheet/csv';
import { demoQuestions, DEMO_QUESTIONS } from '../../seed/quiz';

const header = [...BANK_COLUMNS];
const row = (over: Partial<Record<(typeof BANK_COLUMNS)[number], string>>) => {
  const base: Record<string, string> = { 题型: '单选', 题干: '题干', 选项A: '甲', 选项B: '乙', 选项C: '', 选项D: '', 选项E: '', 选项F: '', 答案: 'A', 解析: '解析', 出处: '党章', 标签: '党章', 难度: '1' };
  return BANK_COLUMNS.map((c) => over[c] ?? base[c]);
};

test('the template parses back to its own rows and validates cleanly', () => {
  const table = parseCsv(BANK_TEMPLATE_CSV);
  expect(table.filter((r) => r.some(Boolean))).toEqual(BANK_TEMPLATE_ROWS);
  const v = validateBank(table);
  expect(v.errors).toEqual([]);
  expect(v.rows.map((r) => r.type)).toEqual(['single', 'multi', 'judge']);
  expect(v.rows[1].answer).toEqual(['A', 'B', 'C']);
  expect(v.rows[2]).toMatchObject({ answer: ['A'], options: [{ id: 'A', text: '正确' }, { id: 'B', text: '错误' }] });
});

test('each bad row is reported with its row number and a reason', () => {
  const v = validateBank([
    header,
    row({ 题型: '问答' }),
    row({ 题干: '' }),
    row({ 答案: 'C' }),
    row({ 题型: '多选', 答案: 'A' }),
    row({ 题型: '单选', 选项C: '丙', 选项D: '丁', 答案: 'AB' }),
    row({ 选项B: '', 选项C: '丙' }),
    row({ 题型: '判断', 答案: '也许' }),
    row({ 解析: '' }),
    row({ 难度: '5' }),
    row({ 标签: '一,二,三,四,五,六' }),
  ]);
  const byRow = (n: number) => v.errors.filter((e) => e.row === n).map((e) => e.message);
  expect(byRow(2)).toContain('题型“问答”不对，应为 单选、多选 或 判断');
  expect(byRow(3)).toContain('题干不能为空');
  expect(byRow(4)).toContain('答案“C”不在选项之中');
  expect(byRow(5)).toContain('多选题至少有两个答案');
  expect(byRow(6)).toContain('单选题只能有一个答案');
  expect(byRow(7)).toContain('选项要从 A 开始连续填写，中间不能空');
  expect(byRow(8)).toContain('判断题的答案应为“正确”或“错误”');
  expect(byRow(9)).toContain('解析不能为空：答题后要给党员看');
  expect(byRow(10)).toContain('难度应为 1、2、3（或 易、中、难）');
  expect(byRow(11)).toContain('标签最多 5 个');
  expect(v.rows).toEqual([]);
});

test('a repeated stem in the same file is a duplicate of the earlier row', () => {
  const v = validateBank([header, row({ 题干: '党的根本宗旨是什么？' }), row({ 题干: '党的根本宗旨是什么?' })]);
  expect(v.duplicatesInFile).toEqual([{ row: 3, message: '题干与第 2 行重复' }]);
  expect(v.rows).toHaveLength(1);
});

test('a wrong header is one clear error; too many rows are refused', () => {
  expect(validateBank([['题目', '答案']]).errors[0]).toMatchObject({ row: 1 });
  const many = [header, ...Array.from({ length: MAX_BANK_ROWS + 3 }, (_, i) => row({ 题干: `题${i}` }))];
  expect(validateBank(many).errors).toEqual([{ row: MAX_BANK_ROWS + 2, message: `一次最多导入 ${MAX_BANK_ROWS} 道题，请拆分文件` }]);
});

test('hostile cells never throw', () => {
  fc.assert(
    fc.property(fc.array(fc.array(fc.string({ maxLength: 30 }), { maxLength: 15 }), { maxLength: 20 }), (cells) => {
      const v = validateBank([header, ...cells]);
      expect(v.rows.length + v.errors.length + v.duplicatesInFile.length).toBeGreaterThanOrEqual(0);
    }),
    { numRuns: 200 },
  );
});

test('the demo bank has at least 60 well-formed questions with distinct stems', () => {
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
  const { readBankTable } = await import('../../core/quiz/bank-file');
  const table = await readBankTable('t.xlsx', fs.readFileSync(path.join(dir, 'quiz-bank-template.xlsx')).toString('base64'));
  expect(validateBank(table).rows).toHaveLength(3);
});
