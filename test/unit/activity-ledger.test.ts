import { buildLedgerXlsx, LEDGER_SUMMARY_COLUMNS, memberRates, type LedgerActivity, type LedgerRecord } from '../../core/activity/ledger';

const roster = [
  { id: 'm1', name: '张三', branchId: 'b' },
  { id: 'm2', name: '李四', branchId: 'b' },
  { id: 'm3', name: '王五', branchId: 'b' },
];
const acts: LedgerActivity[] = [1, 2].map((n) => ({
  _id: `a${n}`,
  type: 'theme_day',
  title: `${n} 月主题党日`,
  agenda: '学习党章',
  startAt: new Date(`2026-0${n}-15T06:30:00Z`),
  endAt: new Date(`2026-0${n}-15T08:30:00Z`),
  place: { name: '党群服务中心', address: '文化路 88 号' },
  hostName: '刘书记',
  roster,
  status: 'published',
}));
const recs: LedgerRecord[] = [
  { activityId: 'a1', memberId: 'm1', memberName: '张三', status: 'present', method: 'qr', at: new Date('2026-01-15T06:20:00Z') },
  { activityId: 'a1', memberId: 'm2', memberName: '李四', status: 'leave', leaveReason: '出差', madeUpAt: new Date('2026-01-20T02:00:00Z') },
  { activityId: 'a1', memberId: 'm3', memberName: '王五', status: 'absent' },
  { activityId: 'a2', memberId: 'm1', memberName: '张三', status: 'present', method: 'manual', at: new Date('2026-02-15T06:20:00Z') },
  { activityId: 'a2', memberId: 'm2', memberName: '李四', status: 'present', method: 'qr', at: new Date('2026-02-15T06:25:00Z') },
  { activityId: 'a2', memberId: 'm3', memberName: '王五', status: 'absent' },
];

test('per-member rates from one pass over the records', () => {
  const rows = memberRates(acts, recs);
  expect(rows.map((r) => [r.name, r.expected, r.present, r.rate])).toEqual([
    ['王五', 2, 0, 0],
    ['李四', 2, 1, 50],
    ['张三', 2, 2, 100],
  ]);
  expect(rows.find((r) => r.memberId === 'm2')!.madeUp).toBe(1);
});

test('the workbook has the 三会一课 layout, one detail row per member per activity, and Shanghai times', async () => {
  const buf = await buildLedgerXlsx({ branchName: '第一党支部', from: '2026-01-01', to: '2026-12-31', activities: acts, records: recs, generatedAt: new Date() });
  const ExcelJS = require('exceljs');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf);
  const s = wb.getWorksheet('三会一课记录');
  expect(String(s.getRow(1).getCell(1).value)).toContain('第一党支部');
  expect(s.getRow(2).values.slice(1)).toEqual(LEDGER_SUMMARY_COLUMNS);
  expect(s.getRow(3).values.slice(1)).toEqual([1, '主题党日', '2026-01-15 14:30 至 16:30', '党群服务中心（文化路 88 号）', '刘书记', 3, 1, 1, 1, 1, '1 月主题党日：学习党章']);
  const d = wb.getWorksheet('出勤明细');
  expect(d.rowCount).toBe(1 + 6);
  expect(d.getRow(2).values.slice(1, 8)).toEqual(['2026-01-15 14:30', '主题党日', '1 月主题党日', '张三', '已签到', '扫码签到', '2026-01-15 14:20']);
  expect(d.getRow(3).getCell(8).value).toBe('出差');
  expect(wb.getWorksheet('出勤率').rowCount).toBe(4);
});
