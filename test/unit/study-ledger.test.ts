/** The 学时台账 workbook (core/study/ledger.ts), read back with exceljs. */
import ExcelJS from 'exceljs';
import type { BranchRow } from '../../core/study/contracts';
import { buildStudyLedgerXlsx, studyLedgerFileName, STUDY_LEDGER_DETAIL, STUDY_LEDGER_SUMMARY } from '../../core/study/ledger';

const row = (over: Partial<BranchRow>): BranchRow => ({
  memberId: 'm1', name: '张三', role: 'member', hours: 10, targetHours: 32, behind: 22, bySource: { online: 6, live: 2, activity: 1, offline: 1 }, bound: true, ...over,
});

async function read(buf: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const sheet = (name: string) => {
    const ws = wb.getWorksheet(name)!;
    const rows: unknown[][] = [];
    ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    return rows;
  };
  return { names: wb.worksheets.map((w) => w.name), summary: sheet(STUDY_LEDGER_SUMMARY), detail: sheet(STUDY_LEDGER_DETAIL) };
}

test('summary per member and detail per credit, in the layout branches keep', async () => {
  const buf = await buildStudyLedgerXlsx({
    branchName: '一支部',
    year: 2026,
    rows: [row({}), row({ memberId: 'm2', name: '李四', role: 'secretary', hours: 56, targetHours: 56, behind: 0 }), row({ memberId: 'm3', name: '王五', role: 'organiser' })],
    credits: [
      { memberId: 'm1', day: '2026-01-05', source: 'online', reason: '在线课程：党章', seconds: 2700 },
      { memberId: 'gone', day: '2026-02-01', source: 'offline', reason: '集中培训：两会', seconds: 7200 },
      { memberId: 'm2', day: '2026-03-01', source: 'legacy', reason: '旧记录', seconds: 100 },
    ],
    names: new Map([['m1', '张三'], ['m2', '李四']]),
    rules: { minutesPerHour: 45 },
  });
  const x = await read(buf);
  expect(x.names).toEqual(['学时汇总', '学时明细']);
  expect(x.summary).toEqual([
    ['一支部 2026 年度学时台账'],
    ['姓名', '身份', '年度要求(学时)', '已完成(学时)', '还差(学时)', '在线课程', '直播课', '组织生活', '线下学习'],
    ['张三', '党员', 32, 10, 22, 6, 2, 1, 1],
    ['李四', '支部书记', 56, 56, 0, 6, 2, 1, 1],
    ['王五', '组织管理员', 32, 10, 22, 6, 2, 1, 1],
  ]);
  expect(x.detail).toEqual([
    ['日期', '姓名', '来源', '内容', '时长(分钟)', '学时'],
    ['2026-01-05', '张三', '在线课程', '在线课程：党章', 45, 1],
    // a member no longer on the roster is shown by id; an unknown source as stored
    ['2026-02-01', 'gone', '线下学习', '集中培训：两会', 120, 2.66],
    ['2026-03-01', '李四', 'legacy', '旧记录', 1.7, 0.03],
  ]);
  expect(studyLedgerFileName('一支部', 2026)).toBe('一支部-2026-学时台账.xlsx');
});

test('hours follow the deploy-time minutes per 学时', async () => {
  const buf = await buildStudyLedgerXlsx({
    branchName: 'b', year: 2026, rows: [], names: new Map(),
    credits: [{ memberId: 'm1', day: '2026-01-05', source: 'live', reason: 'r', seconds: 3600 }],
    rules: { minutesPerHour: 60 },
  });
  expect((await read(buf)).detail[1]).toEqual(['2026-01-05', 'm1', '直播课', 'r', 60, 1]);
});
