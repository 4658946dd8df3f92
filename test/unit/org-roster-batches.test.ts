/**
 * The roster import in batches (importRosterFile): the 5,000-row limit of an uploaded file, the
 * report rows (the file's own cells plus the problems), and the run mark that lets a repeated batch
 * recognise what it already wrote and count it once.
 */
import { MAX_ROSTER_FILE_ROWS, MAX_ROSTER_ROWS, planRosterImport, rosterProblemRows, validateRoster } from '../../core/org/roster';
import { parseCsv } from '../../core/sheet/csv';
import type { StoredMemberDoc } from '../../core/org/member';

const now = new Date('2025-06-01T08:00:00Z');
const HEADER = '姓名,手机号,性别,出生年份,入党日期,党小组';
const people = (n: number) => Array.from({ length: n }, (_, i) => `党员${String.fromCharCode(0x4e00 + (i % 2000))},17${String(i).padStart(9, '0')},,,,`);

test('an uploaded file holds up to 5,000 people; one more refuses the whole file', () => {
  expect(MAX_ROSTER_FILE_ROWS).toBe(5000);
  const ok = validateRoster(parseCsv([HEADER, ...people(5000)].join('\n')), now, { maxRows: MAX_ROSTER_FILE_ROWS });
  expect(ok).toMatchObject({ total: 5000, fatal: null, errors: [] });
  expect(ok.rows).toHaveLength(5000);
  const over = validateRoster(parseCsv([HEADER, ...people(5001)].join('\n')), now, { maxRows: MAX_ROSTER_FILE_ROWS });
  expect(over.fatal).toBe('每次最多导入 5000 人，请把名册拆分成几个文件');
  // sent inline, the limit stays 500
  expect(validateRoster(parseCsv([HEADER, ...people(MAX_ROSTER_ROWS + 1)].join('\n')), now).fatal).toContain('500');
});

test('no header, no data: fatal with the reason; the header is kept for the report file', () => {
  expect(validateRoster(parseCsv('a,b\n1,2'), now).fatal).toContain('表头');
  expect(validateRoster(parseCsv(HEADER), now).fatal).toBe('名册里没有党员数据');
  expect(validateRoster(parseCsv(`名册\n${HEADER}\n张卫国,13812345678,,,,`), now).header).toEqual(HEADER.split(','));
});

test('report rows: the cells as the file has them, every problem of the row in one list, by row', () => {
  const table = parseCsv(`${HEADER}\n张卫国,1381234567,男,1956,,\n,13812345670,未知,1956,,\n李秀英,13812345671,女,1962,,`);
  const v = validateRoster(table, now);
  expect(rosterProblemRows(table, v.errors)).toEqual([
    { row: 2, cells: ['张卫国', '1381234567', '男', '1956', '', ''], problems: [expect.stringMatching(/^手机号：/)] },
    { row: 3, cells: ['', '13812345670', '未知', '1956', '', ''], problems: ['姓名：姓名不能为空', '性别：性别请填写“男”或“女”'] },
  ]);
});

describe('a batch repeated with its run id', () => {
  const branch = { _id: 'b1', path: ['d', 'b1'] };
  const rows = validateRoster(parseCsv(`${HEADER}\n张卫国,13812345678,男,1956,,\n李秀英,13812345679,女,1962,,`), now).rows;
  const base = { openid: null, branchId: 'b1', groupId: null, path: ['d', 'b1'], role: 'member', status: 'active', birthYear: null, gender: null, joinedPartyOn: null } as const;
  const existing = [{ ...base, _id: 'mB', name: '李秀英', phone: '13812345679' }] as unknown as StoredMemberDoc[];
  const first = planRosterImport({ rows, branch, existing, groups: [], now, newId: () => 'mNew', runId: 'run1' });

  test('marks what it writes with the run', () => {
    expect(first.creates).toEqual([expect.objectContaining({ phone: '13812345678', importRun: 'run1', importOp: 'created' })]);
    expect(first.updates).toEqual([{ id: 'mB', set: expect.objectContaining({ gender: '女', birthYear: 1962, importRun: 'run1', importOp: 'updated' }) }]);
  });

  test('finds its own writes again: nothing to write, counted as created and updated once more', () => {
    const written = [first.creates[0], { ...existing[0], ...first.updates[0].set }] as StoredMemberDoc[];
    const again = planRosterImport({ rows, branch, existing: written, groups: [], now, newId: () => 'mOther', runId: 'run1' });
    expect(again).toMatchObject({ creates: [], updates: [], unchanged: 0, done: { created: 1, updated: 1 } });
    // another run (the same file imported again) finds everyone as the file has them
    const other = planRosterImport({ rows, branch, existing: written, groups: [], now, newId: () => 'mOther', runId: 'run2' });
    expect(other).toMatchObject({ creates: [], updates: [], unchanged: 2, done: { created: 0, updated: 0 } });
  });
});
