/**
 * The 学时台账 (study ledger) of one branch and year as an .xlsx: a summary sheet (one row per
 * member: target, done, behind, by source) and a detail sheet (one row per credit, in day order).
 * Server side only: it loads exceljs lazily, which must never reach the mini-program bundle.
 */
import type { Db } from '../fn/db';
import type { BranchRow } from './contracts';
import { SOURCE_LABEL, STUDY_SOURCES, toStudyHours, type StudyRules } from './rules';

export const STUDY_LEDGER_SUMMARY = '学时汇总';
export const STUDY_LEDGER_DETAIL = '学时明细';
export const STUDY_LEDGER_SUMMARY_COLUMNS = ['姓名', '身份', '年度要求(学时)', '已完成(学时)', '还差(学时)', ...STUDY_SOURCES.map((s) => SOURCE_LABEL[s])];
export const STUDY_LEDGER_DETAIL_COLUMNS = ['日期', '姓名', '来源', '内容', '时长(分钟)', '学时'];

const ROLE_NAME: Record<string, string> = { secretary: '支部书记', organiser: '组织管理员' };

/** A stored credit as the detail sheet reads it. */
export interface StudyLedgerCredit {
  memberId: string;
  day: string;
  source: string;
  reason: string;
  seconds: number;
}

export interface StudyLedgerInput {
  branchName: string;
  year: number;
  rows: readonly BranchRow[];
  /** credits of the branch and year, already in day order */
  credits: readonly StudyLedgerCredit[];
  /** member id → name, for credits of members no longer on the roster the id is shown */
  names: ReadonlyMap<string, string>;
  rules: Pick<StudyRules, 'minutesPerHour'>;
}

/** A query answers at most 1,000 documents (limit() maximum on the server). */
export const LEDGER_PAGE = 1000;

/**
 * Every credit of a branch and year, in day order, a page at a time: one query stops at 1,000
 * documents, and a branch of a few dozen members passes that in a year. Only the columns the
 * detail sheet shows are read, so a page stays far under the 1 MB result limit. `_id` breaks ties
 * within a day, so pages neither skip nor repeat a credit.
 */
export async function readLedgerCredits(db: Db, branchId: string, year: number): Promise<StudyLedgerCredit[]> {
  const out: StudyLedgerCredit[] = [];
  for (let skip = 0; ; skip += LEDGER_PAGE) {
    const res = await db
      .collection('study_credits')
      .where({ branchId, year })
      .field({ memberId: true, day: true, source: true, reason: true, seconds: true })
      .orderBy('day', 'asc')
      .orderBy('_id', 'asc')
      .skip(skip)
      .limit(LEDGER_PAGE)
      .get();
    const page = (res?.data ?? []) as StudyLedgerCredit[];
    out.push(...page);
    if (page.length < LEDGER_PAGE) return out;
  }
}

export function studyLedgerFileName(branchName: string, year: number): string {
  return `${branchName}-${year}-学时台账.xlsx`;
}

export async function buildStudyLedgerXlsx(input: StudyLedgerInput): Promise<Buffer> {
  const ExcelJS = require('exceljs') as typeof import('exceljs');
  const wb = new ExcelJS.Workbook();
  const sum = wb.addWorksheet(STUDY_LEDGER_SUMMARY);
  sum.addRow([`${input.branchName} ${input.year} 年度学时台账`]);
  sum.addRow(STUDY_LEDGER_SUMMARY_COLUMNS);
  for (const r of input.rows) {
    sum.addRow([r.name, ROLE_NAME[r.role] ?? '党员', r.targetHours, r.hours, r.behind, ...STUDY_SOURCES.map((s) => r.bySource[s])]);
  }
  const det = wb.addWorksheet(STUDY_LEDGER_DETAIL);
  det.addRow(STUDY_LEDGER_DETAIL_COLUMNS);
  for (const c of input.credits) {
    const source = SOURCE_LABEL[c.source as keyof typeof SOURCE_LABEL] ?? c.source;
    det.addRow([c.day, input.names.get(c.memberId) ?? c.memberId, source, c.reason, Math.round(c.seconds / 6) / 10, toStudyHours(c.seconds, input.rules)]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
