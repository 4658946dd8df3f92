/**
 * The 台账 (ledger) of branch activity days: the per-member rates and the .xlsx export in the
 * layout branches keep for 三会一课 inspections. Server side only: it loads exceljs lazily, which
 * must never reach the mini-program bundle.
 */
import {
  ACTIVITY_TYPES,
  METHOD_LABEL,
  STATUS_LABEL,
  countAttendance,
  formatDateTime,
  rates,
  type AttendanceStatus,
  type SignInMethod,
} from './rules';
import type { StoredActivity } from './stored';

/** The part of a stored activity the ledger reads (any place with a name will do). */
export type LedgerActivity = Pick<StoredActivity, '_id' | 'type' | 'title' | 'agenda' | 'startAt' | 'endAt' | 'hostName' | 'roster' | 'status'> & {
  place: { name: string; address?: string };
};

export interface LedgerRecord {
  activityId: string;
  memberId: string;
  memberName: string;
  status: AttendanceStatus;
  method?: SignInMethod | null;
  at?: Date | string | null;
  leaveReason?: string | null;
  note?: string | null;
  madeUpAt?: Date | string | null;
}

export interface MemberRate {
  memberId: string;
  name: string;
  expected: number;
  present: number;
  leave: number;
  absent: number;
  madeUp: number;
  rate: number;
}

/** One pass over the records, grouped in memory: never a query per member. */
export function memberRates(activities: readonly LedgerActivity[], records: readonly LedgerRecord[]): MemberRate[] {
  const byKey = new Map(records.map((r) => [`${r.activityId}:${r.memberId}`, r]));
  const out = new Map<string, MemberRate>();
  for (const a of activities) {
    if (a.status !== 'published') continue;
    for (const m of a.roster) {
      const row = out.get(m.id) ?? { memberId: m.id, name: m.name, expected: 0, present: 0, leave: 0, absent: 0, madeUp: 0, rate: 0 };
      row.expected++;
      const r = byKey.get(`${a._id}:${m.id}`);
      if (r?.status === 'present') row.present++;
      else if (r?.status === 'leave') row.leave++;
      else if (r?.status === 'absent') row.absent++;
      if (r && (r.status === 'leave' || r.status === 'absent') && r.madeUpAt) row.madeUp++;
      out.set(m.id, row);
    }
  }
  return [...out.values()]
    .map((r) => ({ ...r, rate: rates(r).attendance }))
    .sort((a, b) => a.rate - b.rate || a.name.localeCompare(b.name, 'zh'));
}

export const LEDGER_SUMMARY_COLUMNS = ['序号', '会议类型', '时间', '地点', '主持人', '应到', '实到', '请假', '缺席', '补学', '内容摘要'];
export const LEDGER_DETAIL_COLUMNS = ['活动时间', '会议类型', '活动主题', '姓名', '出勤状态', '签到方式', '签到时间', '请假事由', '补学时间', '备注'];
export const LEDGER_RATE_COLUMNS = ['姓名', '应参加', '实到', '请假', '缺席', '补学', '出勤率(%)'];

export interface LedgerInput {
  branchName: string;
  from: string;
  to: string;
  activities: LedgerActivity[];
  records: LedgerRecord[];
  generatedAt: Date;
}

/** Builds the workbook: 三会一课记录 (one row per activity), 出勤明细 (one row per member per activity), 出勤率. */
export async function buildLedgerXlsx(input: LedgerInput): Promise<Buffer> {
  const ExcelJS = require('exceljs') as typeof import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = '指尖党校';
  wb.created = input.generatedAt;
  const acts = input.activities
    .filter((a) => a.status === 'published')
    .sort((a, b) => new Date(a.startAt).getTime() - new Date(b.startAt).getTime());
  const recsByActivity = new Map<string, LedgerRecord[]>();
  for (const r of input.records) {
    const list = recsByActivity.get(r.activityId) ?? [];
    list.push(r);
    recsByActivity.set(r.activityId, list);
  }

  const title = `${input.branchName} 三会一课及组织生活记录（${input.from} 至 ${input.to}）`;
  const summary = wb.addWorksheet('三会一课记录');
  summary.addRow([title]);
  summary.mergeCells(1, 1, 1, LEDGER_SUMMARY_COLUMNS.length);
  summary.getRow(1).font = { bold: true, size: 14 };
  summary.addRow(LEDGER_SUMMARY_COLUMNS).font = { bold: true };
  acts.forEach((a, i) => {
    const c = countAttendance(a.roster, recsByActivity.get(a._id) ?? []);
    summary.addRow([
      i + 1,
      ACTIVITY_TYPES[a.type] ?? a.type,
      `${formatDateTime(a.startAt)} 至 ${formatDateTime(a.endAt).slice(11)}`,
      a.place.name + (a.place.address ? `（${a.place.address}）` : ''),
      a.hostName,
      c.expected,
      c.present,
      c.leave,
      c.absent,
      c.madeUp,
      `${a.title}${a.agenda ? `：${a.agenda}` : ''}`.slice(0, 500),
    ]);
  });
  summary.columns.forEach((col, i) => {
    col.width = [6, 12, 26, 24, 10, 6, 6, 6, 6, 6, 60][i] ?? 12;
  });

  const detail = wb.addWorksheet('出勤明细');
  detail.addRow(LEDGER_DETAIL_COLUMNS).font = { bold: true };
  for (const a of acts) {
    const byMember = new Map((recsByActivity.get(a._id) ?? []).map((r) => [r.memberId, r]));
    for (const m of a.roster) {
      const r = byMember.get(m.id);
      detail.addRow([
        formatDateTime(a.startAt),
        ACTIVITY_TYPES[a.type] ?? a.type,
        a.title,
        m.name,
        r ? STATUS_LABEL[r.status] : '未签到',
        r?.method ? METHOD_LABEL[r.method] : '',
        r?.at && r.status === 'present' ? formatDateTime(r.at) : '',
        r?.leaveReason ?? '',
        r?.madeUpAt ? formatDateTime(r.madeUpAt) : '',
        r?.note ?? '',
      ]);
    }
  }
  detail.columns.forEach((col, i) => {
    col.width = [18, 12, 30, 10, 10, 10, 18, 24, 18, 30][i] ?? 12;
  });

  const rateSheet = wb.addWorksheet('出勤率');
  rateSheet.addRow(LEDGER_RATE_COLUMNS).font = { bold: true };
  for (const r of memberRates(acts, input.records)) {
    rateSheet.addRow([r.name, r.expected, r.present, r.leave, r.absent, r.madeUp, r.rate]);
  }
  rateSheet.columns.forEach((col) => {
    col.width = 12;
  });
  const buf = await wb.xlsx.writeBuffer();
  return Buffer.from(buf as ArrayBuffer);
}

export function ledgerFileName(branchName: string, from: string, to: string): string {
  return `${branchName}-三会一课台账-${from}-${to}.xlsx`;
}
