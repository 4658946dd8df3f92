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
import { CADENCE_STATUS_LABEL, type CadenceLedgerRow } from './cadence';

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

/** An activity's 会议记录 as the 台账 shows it; `thumb` is a small image made on the phone at upload. */
export interface LedgerMinutes {
  activityId: string;
  hostName: string;
  recorderName: string;
  topics: string;
  resolutions: string;
  photos: { fileID: string; url?: string; thumb?: { buffer: Buffer; extension: 'png' | 'jpeg' } | null }[];
  attachments?: { name: string; url?: string }[];
  checklist: { label: string; done: boolean }[] | null;
  version: number;
}

export const LEDGER_MINUTES_COLUMNS = ['序号', '会议类型', '时间', '活动主题', '主持人', '记录人', '会议内容（议题）', '会议决议', '“7+1”议程', '照片数', '现场照片', '照片链接'];
export const LEDGER_CADENCE_COLUMNS = ['期间', '会议类型', '应开', '已开', '落实情况'];
/** thumbnails embedded per meeting (the rest are links); each is the phone's ≈ 10 KB thumbnail */
export const LEDGER_THUMBS_PER_MEETING = 4;
const THUMB_PX = 72;

export interface LedgerInput {
  branchName: string;
  from: string;
  to: string;
  activities: LedgerActivity[];
  records: LedgerRecord[];
  generatedAt: Date;
  /** the activities' 会议记录 (sheet 会议记录); meetings without one read 待补记录 */
  minutes?: LedgerMinutes[];
  /** the cadence per period (sheet 三会一课落实情况) */
  cadence?: CadenceLedgerRow[];
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

  const minutesBy = new Map((input.minutes ?? []).map((m) => [m.activityId, m]));
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
      minutesBy.get(a._id)?.hostName ?? a.hostName,
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
  if (input.minutes) addMinutesSheet(wb, acts, minutesBy, null);
  if (input.cadence) addCadenceSheet(wb, [{ branchName: input.branchName, rows: input.cadence }], false);
  const buf = await wb.xlsx.writeBuffer();
  return Buffer.from(buf as ArrayBuffer);
}

export function ledgerFileName(branchName: string, from: string, to: string): string {
  return `${branchName}-三会一课台账-${from}-${to}.xlsx`;
}

type Workbook = import('exceljs').Workbook;

/**
 * Sheet 会议记录: one row per meeting with its minutes (or 待补记录), the 7+1 items ticked, and up to
 * LEDGER_THUMBS_PER_MEETING thumbnails embedded in the row (the phone made them at upload); every
 * photo is also a link.
 */
function addMinutesSheet(wb: Workbook, acts: readonly (LedgerActivity & { branchName?: string })[], minutesBy: Map<string, LedgerMinutes>, branchCol: boolean | null): void {
  const ws = wb.addWorksheet('会议记录');
  const cols = branchCol ? ['支部', ...LEDGER_MINUTES_COLUMNS] : LEDGER_MINUTES_COLUMNS;
  ws.addRow(cols).font = { bold: true };
  const off = branchCol ? 1 : 0;
  const photoCol = off + 11; // 1-based column of 现场照片
  acts.forEach((a, i) => {
    const m = minutesBy.get(a._id);
    const row = ws.addRow([
      ...(branchCol ? [a.branchName ?? ''] : []),
      i + 1,
      ACTIVITY_TYPES[a.type] ?? a.type,
      formatDateTime(a.startAt),
      a.title,
      m?.hostName ?? '',
      m?.recorderName ?? '',
      m ? m.topics : '待补记录',
      m?.resolutions ?? '',
      m?.checklist ? m.checklist.map((c) => `${c.done ? '☑' : '☐'} ${c.label}`).join('\n') : '',
      m ? m.photos.length : 0,
      '',
      m ? m.photos.map((p) => p.url ?? p.fileID).join('\n') : '',
    ]);
    row.alignment = { vertical: 'top', wrapText: true };
    const thumbs = (m?.photos ?? []).filter((p) => p.thumb).slice(0, LEDGER_THUMBS_PER_MEETING);
    if (thumbs.length) {
      row.height = THUMB_PX * 0.75 + 6;
      thumbs.forEach((p, k) => {
        const imageId = wb.addImage({ buffer: p.thumb!.buffer as unknown as import('exceljs').Buffer, extension: p.thumb!.extension });
        // side by side inside the 现场照片 cell (0-based anchors)
        ws.addImage(imageId, { tl: { col: photoCol - 1 + k * 0.25, row: row.number - 1 + 0.05 }, ext: { width: THUMB_PX, height: THUMB_PX } });
      });
    }
  });
  const widths = [6, 12, 18, 26, 10, 10, 50, 40, 22, 6, 44, 40];
  ws.columns.forEach((col, i) => {
    col.width = (branchCol ? [24, ...widths] : widths)[i] ?? 12;
  });
}

/** Sheet 三会一课落实情况: per branch, per period and kind, 应开 and 已开. */
function addCadenceSheet(wb: Workbook, branches: readonly { branchName: string; rows: readonly CadenceLedgerRow[] }[], branchCol: boolean): void {
  const ws = wb.addWorksheet('三会一课落实情况');
  ws.addRow(branchCol ? ['支部', ...LEDGER_CADENCE_COLUMNS] : LEDGER_CADENCE_COLUMNS).font = { bold: true };
  for (const b of branches) {
    for (const r of b.rows) {
      const period = r.unit === 'month' ? `${r.period.slice(0, 4)}年${Number(r.period.slice(5))}月` : `${r.period.slice(0, 4)}年第${r.period.slice(-1)}季度`;
      const status = r.held >= r.owed ? '已完成' : CADENCE_STATUS_LABEL[r.status];
      ws.addRow([...(branchCol ? [b.branchName] : []), period, r.label, r.owed, r.held, status]);
    }
  }
  ws.columns.forEach((col, i) => {
    col.width = (branchCol ? [24, 14, 14, 8, 8, 14] : [14, 14, 8, 8, 14])[i] ?? 12;
  });
}

/** One branch of an organiser's export. */
export interface SubtreeLedgerBranch {
  branchName: string;
  activities: LedgerActivity[];
  records: LedgerRecord[];
  minutes: LedgerMinutes[];
  cadence: CadenceLedgerRow[];
}

/** an organiser's workbook is refused above this many attendance rows (about a year of 200 branches) */
export const MAX_SUBTREE_LEDGER_ROWS = 60_000;

/**
 * An organiser's 台账 of every branch of the subtree in one workbook: 三会一课记录 and 会议记录 with a
 * 支部 column, 出勤汇总 per branch, and 三会一课落实情况. Photos are links (no embedded thumbnails:
 * the workbook stays small at a district's scale).
 */
export async function buildSubtreeLedgerXlsx(input: { nodeName: string; from: string; to: string; branches: SubtreeLedgerBranch[]; generatedAt: Date }): Promise<Buffer> {
  const ExcelJS = require('exceljs') as typeof import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = '指尖党校';
  wb.created = input.generatedAt;
  const all = input.branches.flatMap((b) =>
    b.activities.filter((a) => a.status === 'published').map((a) => ({ ...a, branchName: b.branchName })),
  );
  all.sort((x, y) => x.branchName.localeCompare(y.branchName, 'zh') || new Date(x.startAt).getTime() - new Date(y.startAt).getTime());
  const recs = new Map<string, LedgerRecord[]>();
  for (const b of input.branches) for (const r of b.records) recs.set(r.activityId, [...(recs.get(r.activityId) ?? []), r]);
  const minutesBy = new Map(input.branches.flatMap((b) => b.minutes.map((m) => [m.activityId, m] as const)));

  const summary = wb.addWorksheet('三会一课记录');
  summary.addRow([`${input.nodeName} 三会一课及组织生活记录（${input.from} 至 ${input.to}）`]);
  summary.mergeCells(1, 1, 1, LEDGER_SUMMARY_COLUMNS.length + 2);
  summary.getRow(1).font = { bold: true, size: 14 };
  summary.addRow(['支部', ...LEDGER_SUMMARY_COLUMNS, '会议记录']).font = { bold: true };
  all.forEach((a, i) => {
    const c = countAttendance(a.roster, recs.get(a._id) ?? []);
    const m = minutesBy.get(a._id);
    const type = ACTIVITY_TYPES[a.type] ?? a.type;
    const counts = [c.expected, c.present, c.leave, c.absent, c.madeUp];
    summary.addRow([a.branchName, i + 1, type, formatDateTime(a.startAt), a.place.name, m?.hostName ?? a.hostName, ...counts, a.title.slice(0, 200), m ? '已记录' : '待补记录']);
  });
  summary.columns.forEach((col, i) => {
    col.width = [24, 6, 12, 18, 20, 10, 6, 6, 6, 6, 6, 40, 10][i] ?? 12;
  });

  const rate = wb.addWorksheet('出勤汇总');
  rate.addRow(['支部', '活动次数', '应到人次', '实到人次', '请假', '缺席', '补学', '出勤率(%)']).font = { bold: true };
  for (const b of input.branches) {
    const acts = b.activities.filter((a) => a.status === 'published');
    const t = memberRates(acts, b.records).reduce(
      (s, r) => ({ expected: s.expected + r.expected, present: s.present + r.present, leave: s.leave + r.leave, absent: s.absent + r.absent, madeUp: s.madeUp + r.madeUp }),
      { expected: 0, present: 0, leave: 0, absent: 0, madeUp: 0 },
    );
    rate.addRow([b.branchName, acts.length, t.expected, t.present, t.leave, t.absent, t.madeUp, rates(t).attendance]);
  }
  rate.columns.forEach((col, i) => {
    col.width = i === 0 ? 24 : 10;
  });

  addMinutesSheet(wb, all, minutesBy, true);
  addCadenceSheet(wb, input.branches.map((b) => ({ branchName: b.branchName, rows: b.cadence })), true);
  const buf = await wb.xlsx.writeBuffer();
  return Buffer.from(buf as ArrayBuffer);
}
