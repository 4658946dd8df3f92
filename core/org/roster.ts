/**
 * 党员名册导入 (roster import): the column layout, a template, and row-by-row validation.
 *
 * Layout (first sheet of an .xlsx, or a UTF-8 .csv with or without BOM). Row 1 is the header; a
 * title row above it is tolerated (the header is the first of the first 5 rows naming 姓名 and 手机号).
 * Columns may come in any order and are found by their header text:
 *
 * | 表头     | 必填 | 内容                                   | also accepted as header            |
 * |----------|------|----------------------------------------|------------------------------------|
 * | 姓名     | 是   | 2–20 个字                              | 名字                               |
 * | 手机号   | 是   | 11 位手机号，每人唯一（用于认领身份）  | 手机号码, 手机, 联系电话, 电话      |
 * | 性别     | 否   | 男 / 女                                |                                    |
 * | 出生年份 | 否   | 1956，或出生日期 1956-03-12            | 出生年, 出生年月, 出生日期          |
 * | 入党日期 | 否   | 1985-07-01（也可 1985/7/1、1985.07）   | 入党时间                           |
 * | 党小组   | 否   | 本支部已有的党小组名称                 | 所在党小组                         |
 *
 * Rules: at most 500 people per file sent inline, 5,000 per file uploaded to cloud storage; a phone may appear once per file; a phone already registered
 * in another branch is refused (that is a 流动党员转接, not an import); blank optional cells never
 * erase what is already stored. Row numbers in the report are the row numbers Excel shows.
 * This module is pure (no file formats beyond CSV, no SDK): reading .xlsx lives in roster-file.ts.
 */
import { dayOf, yearOf } from '../day';
import { PHONE_RE } from './contracts';
import type { RosterRowError } from './contracts';
import type { StoredMemberDoc } from './member';
import { nodeFullPath } from './scope';

export const MAX_ROSTER_ROWS = 500;
/** a roster uploaded to cloud storage (importRosterFile), imported in batches */
export const MAX_ROSTER_FILE_ROWS = 5000;

export type RosterField = 'name' | 'phone' | 'gender' | 'birthYear' | 'joinedPartyOn' | 'group';

export interface RosterColumn {
  key: RosterField;
  header: string;
  aliases: string[];
  required: boolean;
  hint: string;
}

export const ROSTER_COLUMNS: RosterColumn[] = [
  { key: 'name', header: '姓名', aliases: ['姓名', '名字'], required: true, hint: '2–20 个字' },
  {
    key: 'phone',
    header: '手机号',
    aliases: ['手机号', '手机号码', '手机', '联系电话', '电话'],
    required: true,
    hint: '11 位手机号，每人唯一',
  },
  { key: 'gender', header: '性别', aliases: ['性别'], required: false, hint: '男 或 女' },
  {
    key: 'birthYear',
    header: '出生年份',
    aliases: ['出生年份', '出生年', '出生年月', '出生日期'],
    required: false,
    hint: '如 1956',
  },
  { key: 'joinedPartyOn', header: '入党日期', aliases: ['入党日期', '入党时间'], required: false, hint: '如 1985-07-01' },
  { key: 'group', header: '党小组', aliases: ['党小组', '所在党小组'], required: false, hint: '本支部已有的党小组名称' },
];

const HEADER_OF: Record<RosterField, string> = Object.fromEntries(
  ROSTER_COLUMNS.map((c) => [c.key, c.header]),
) as Record<RosterField, string>;

/** What the secretary downloads: BOM so Excel opens it as UTF-8, CRLF as Excel writes. */
export const ROSTER_TEMPLATE_CSV =
  '\uFEFF' +
  [
    ROSTER_COLUMNS.map((c) => c.header).join(','),
    '张卫国,13812345678,男,1956,1978-07-01,第一党小组',
    '李秀英,13987654321,女,1962,1990-06-15,',
  ].join('\r\n') +
  '\r\n';

export interface RosterRow {
  /** the row number Excel shows */
  row: number;
  name: string;
  phone: string;
  gender: '男' | '女' | null;
  birthYear: number | null;
  joinedPartyOn: string | null;
  group: string | null;
}

export interface RosterValidation {
  rows: RosterRow[];
  errors: RosterRowError[];
  /** data rows seen (blank rows not counted) */
  total: number;
  /** the header row as the file has it (for the report file); empty when none was found */
  header: string[];
  /** no header row: nothing in the file can be read */
  fatal: string | null;
}

const clean = (v: unknown): string =>
  String(v ?? '')
    .replace(/[\u200b\u3000]/g, ' ')
    .trim();

export function normalisePhone(raw: string): string {
  let p = raw.replace(/[\s\-()（）]/g, '');
  if (/^\+?86\d{11}$/.test(p)) p = p.replace(/^\+?86/, '');
  return p;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** 1985-07-01, 1985/7/1, 1985.07.01, 1985年7月1日, 19850701, 1985-07 (→ the 1st). null if not a real date. */
export function parseRosterDate(raw: string): string | null {
  const s = raw.trim();
  let y: number, m: number, d: number;
  let match = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月)?$/.exec(s);
  if (match) {
    y = Number(match[1]);
    m = Number(match[2]);
    d = match[3] ? Number(match[3]) : 1;
  } else if ((match = /^(\d{4})(\d{2})(\d{2})$/.exec(s))) {
    y = Number(match[1]);
    m = Number(match[2]);
    d = Number(match[3]);
  } else return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

const PARTY_FOUNDED = '1921-07-01';

function findHeader(table: string[][]): { index: number; cols: Partial<Record<RosterField, number>> } | null {
  for (let i = 0; i < Math.min(table.length, 5); i++) {
    const cells = table[i].map((c) => clean(c).replace(/\s/g, '').replace(/[*＊]/g, ''));
    const cols: Partial<Record<RosterField, number>> = {};
    for (const col of ROSTER_COLUMNS) {
      const at = cells.findIndex((c) => col.aliases.includes(c));
      if (at >= 0) cols[col.key] = at;
    }
    if (cols.name !== undefined && cols.phone !== undefined) return { index: i, cols };
  }
  return null;
}

/** Validates every row and reports every problem at once, so the secretary fixes the file in one go. */
export function validateRoster(table: string[][], now: Date, opts: { maxRows?: number } = {}): RosterValidation {
  const maxRows = opts.maxRows ?? MAX_ROSTER_ROWS;
  const errors: RosterRowError[] = [];
  const rows: RosterRow[] = [];
  const header = findHeader(table);
  if (!header) {
    const message = `第 1 行应为表头，至少包含“姓名”和“手机号”两列（可下载模板：${ROSTER_COLUMNS.map((c) => c.header).join('、')}）`;
    errors.push({ row: 1, field: '表头', message });
    return { rows, errors, total: 0, header: [], fatal: message };
  }
  const today = dayOf(now);
  const maxBirthYear = yearOf(now) - 18;
  const firstRowOfPhone = new Map<string, number>();
  let total = 0;
  for (let i = header.index + 1; i < table.length; i++) {
    const cells = table[i];
    if (cells.every((c) => clean(c) === '')) continue;
    total++;
    const rowNo = i + 1;
    if (total > maxRows) {
      errors.push({ row: rowNo, field: '', message: `每次最多导入 ${maxRows} 人，请把名册拆分成几个文件` });
      break;
    }
    const get = (k: RosterField) => {
      const at = header.cols[k];
      return at === undefined ? '' : clean(cells[at]);
    };
    const err = (k: RosterField, message: string) => errors.push({ row: rowNo, field: HEADER_OF[k], message });
    const before = errors.length;

    const name = get('name').replace(/\s+/g, ' ');
    if (!name) err('name', '姓名不能为空');
    else if ([...name].length < 2 || [...name].length > 20) err('name', '姓名应为 2–20 个字');

    const rawPhone = get('phone');
    const phone = normalisePhone(rawPhone);
    if (!rawPhone) err('phone', '手机号不能为空');
    else if (!PHONE_RE.test(phone)) err('phone', `手机号“${rawPhone.slice(0, 20)}”不是 11 位手机号`);
    else if (firstRowOfPhone.has(phone)) err('phone', `手机号与第 ${firstRowOfPhone.get(phone)} 行重复`);
    else firstRowOfPhone.set(phone, rowNo);

    let gender: '男' | '女' | null = null;
    const g = get('gender');
    if (g === '男' || g === '男性') gender = '男';
    else if (g === '女' || g === '女性') gender = '女';
    else if (g) err('gender', '性别请填写“男”或“女”');

    let birthYear: number | null = null;
    const b = get('birthYear');
    if (b) {
      const y = /^\d{4}$/.test(b) ? Number(b) : Number(parseRosterDate(b)?.slice(0, 4) ?? NaN);
      if (!Number.isFinite(y)) err('birthYear', '出生年份格式不对，请写成 1956 这样的 4 位年份');
      else if (y < 1900 || y > maxBirthYear) err('birthYear', `出生年份应在 1900–${maxBirthYear} 之间`);
      else birthYear = y;
    }

    let joinedPartyOn: string | null = null;
    const j = get('joinedPartyOn');
    if (j) {
      const d = parseRosterDate(j);
      if (!d) err('joinedPartyOn', '入党日期格式不对，请写成 1985-07-01');
      else if (d > today) err('joinedPartyOn', '入党日期不能晚于今天');
      else if (d < PARTY_FOUNDED) err('joinedPartyOn', '入党日期不能早于 1921-07-01');
      else if (birthYear !== null && Number(d.slice(0, 4)) - birthYear < 18) err('joinedPartyOn', '入党时应年满 18 周岁，请核对入党日期或出生年份');
      else joinedPartyOn = d;
    }

    const group = get('group');
    if ([...group].length > 20) err('group', '党小组名称最多 20 个字');

    if (errors.length === before) rows.push({ row: rowNo, name, phone, gender, birthYear, joinedPartyOn, group: group || null });
  }
  let fatal: string | null = null;
  if (total === 0 && errors.length === 0) {
    fatal = '名册里没有党员数据';
    errors.push({ row: header.index + 2, field: '', message: fatal });
  }
  if (total > maxRows) fatal = `每次最多导入 ${maxRows} 人，请把名册拆分成几个文件`;
  return { rows, errors, total, header: table[header.index].map(clean), fatal };
}

/**
 * The rows that need changes as the file has them, each with all its problems in one line, for the
 * report file (core/sheet/report-file.ts). `table` is the table validateRoster read.
 */
export function rosterProblemRows(table: string[][], errors: readonly RosterRowError[]): Array<{ row: number; cells: string[]; problems: string[] }> {
  const byRow = new Map<number, string[]>();
  for (const e of errors) {
    const list = byRow.get(e.row) ?? [];
    list.push(e.field ? `${e.field}：${e.message}` : e.message);
    byRow.set(e.row, list);
  }
  return [...byRow.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([row, problems]) => ({ row, cells: (table[row - 1] ?? []).map(clean), problems }));
}

/**
 * What an import run leaves on the members it writes, so a batch repeated after a lost answer or a
 * timeout recognises its own work and counts it once (as created or updated), writing nothing.
 */
export interface RosterImportMark {
  importRun?: string;
  importOp?: 'created' | 'updated';
}

export interface RosterPlan {
  errors: RosterRowError[];
  creates: Array<StoredMemberDoc & RosterImportMark>;
  updates: Array<{ id: string; set: Partial<StoredMemberDoc> & RosterImportMark }>;
  unchanged: number;
  /** rows this run (`runId`) already wrote, by what it did */
  done: { created: number; updated: number };
}

export const OTHER_BRANCH_MESSAGE = '该手机号已登记在其他党支部，请通过“流动党员转接”办理';

/**
 * Decides what a valid roster does to the stored members, matched by phone: existing members of
 * this branch are updated (or left unchanged), so a retried import lands on the same documents; new
 * ones get a fresh id from `newId` (random: an id says nothing about the person); a phone held in
 * another branch is an error for that row.
 */
export function planRosterImport(opts: {
  rows: RosterRow[];
  branch: { _id: string; path?: string[] | null };
  existing: Array<StoredMemberDoc & RosterImportMark>;
  groups: Array<{ _id: string; name: string }>;
  now: Date;
  newId: () => string;
  /** a batched import run: its writes are marked with it, and what it already wrote is recognised */
  runId?: string;
}): RosterPlan {
  const { rows, branch, existing, groups, now, newId, runId } = opts;
  const mark = (op: 'created' | 'updated'): RosterImportMark => (runId ? { importRun: runId, importOp: op } : {});
  const done = { created: 0, updated: 0 };
  const byPhone = new Map(existing.map((m) => [m.phone, m]));
  const groupByName = new Map(groups.map((g) => [g.name.replace(/\s/g, ''), g._id]));
  const errors: RosterRowError[] = [];
  const creates: StoredMemberDoc[] = [];
  const updates: RosterPlan['updates'] = [];
  let unchanged = 0;
  const path = nodeFullPath(branch);
  for (const r of rows) {
    let groupId: string | null | undefined;
    if (r.group) {
      groupId = groupByName.get(r.group.replace(/\s/g, ''));
      if (!groupId) {
        const known = groups.map((g) => g.name).join('、');
        errors.push({
          row: r.row,
          field: HEADER_OF.group,
          message: known ? `本支部没有“${r.group}”，已有的党小组：${known}` : `本支部还没有设立党小组，请把“${r.group}”留空`,
        });
        continue;
      }
    }
    const found = byPhone.get(r.phone);
    if (found && found.branchId !== branch._id) {
      errors.push({ row: r.row, field: HEADER_OF.phone, message: OTHER_BRANCH_MESSAGE });
      continue;
    }
    if (found && runId && found.importRun === runId && found.importOp) {
      done[found.importOp]++;
      continue;
    }
    if (!found) {
      creates.push({
        ...mark('created'),
        _id: newId(),
        name: r.name,
        phone: r.phone,
        openid: null,
        branchId: branch._id,
        groupId: groupId ?? null,
        path,
        role: 'member',
        status: 'active',
        birthYear: r.birthYear,
        gender: r.gender,
        joinedPartyOn: r.joinedPartyOn,
        createdAt: now,
        updatedAt: now,
      });
      continue;
    }
    const set: Partial<StoredMemberDoc> = {};
    if (found.name !== r.name) set.name = r.name;
    if (r.gender && found.gender !== r.gender) set.gender = r.gender;
    if (r.birthYear !== null && found.birthYear !== r.birthYear) set.birthYear = r.birthYear;
    if (r.joinedPartyOn && found.joinedPartyOn !== r.joinedPartyOn) set.joinedPartyOn = r.joinedPartyOn;
    if (groupId && found.groupId !== groupId) set.groupId = groupId;
    if (found.status !== 'active') set.status = 'active';
    if (Object.keys(set).length === 0) unchanged++;
    else updates.push({ id: found._id, set: { ...set, updatedAt: now, ...mark('updated') } });
  }
  return { errors, creates, updates, unchanged, done };
}
