import ExcelJS from 'exceljs';
import {
  MAX_ROSTER_ROWS,
  OTHER_BRANCH_MESSAGE,
  parseRosterDate,
  planRosterImport,
  ROSTER_COLUMNS,
  ROSTER_TEMPLATE_CSV,
  validateRoster,
} from '../../core/org/roster';
import { readRosterTable } from '../../core/org/roster-file';
import { parseCsv } from '../../core/sheet/csv';
import { SheetFileError } from '../../core/sheet/read';
import type { StoredMemberDoc } from '../../core/org/member';

const now = new Date('2025-06-01T08:00:00Z');
const HEADER = '姓名,手机号,性别,出生年份,入党日期,党小组';
const csv = (...lines: string[]) => parseCsv([HEADER, ...lines].join('\r\n'));

describe('parseCsv', () => {
  it('handles BOM, quotes, doubled quotes, CRLF and LF, and keeps blank lines for row numbers', () => {
    const rows = parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\n\nlast,');
    expect(rows).toEqual([['a', 'b'], ['x, y', 'say "hi"'], [''], ['last', '']]);
  });
});

describe('parseRosterDate', () => {
  it.each([
    ['1985-07-01', '1985-07-01'],
    ['1985/7/1', '1985-07-01'],
    ['1985.07.01', '1985-07-01'],
    ['1985年7月1日', '1985-07-01'],
    ['19850701', '1985-07-01'],
    ['1985-07', '1985-07-01'],
  ])('%s → %s', (raw, want) => expect(parseRosterDate(raw)).toBe(want));
  it.each(['1985-02-30', '85-7-1', '1985-13-01', 'yesterday', ''])('%s is not a date', (raw) =>
    expect(parseRosterDate(raw)).toBeNull(),
  );
});

describe('template', () => {
  it('lists the documented columns and validates cleanly', () => {
    expect(ROSTER_TEMPLATE_CSV.startsWith('\uFEFF' + ROSTER_COLUMNS.map((c) => c.header).join(','))).toBe(true);
    const v = validateRoster(parseCsv(ROSTER_TEMPLATE_CSV), now);
    expect(v.errors).toEqual([]);
    expect(v.rows).toHaveLength(2);
  });
});

describe('validateRoster', () => {
  it('reports every broken row with the row number Excel shows, the column and a Chinese message', () => {
    const v = validateRoster(
      csv(
        '张卫国,13812345678,男,1956,1978-07-01,第一党小组', // row 2 ok
        ',13812345679,男,1956,,', // row 3 missing name
        '李秀英,1381234567,女,1962,,', // row 4 bad phone
        '王建华,13812345678,男,1950,,', // row 5 duplicate of row 2
        '赵淑珍,13812345680,女,1958,1985-02-30,', // row 6 bad date
        '', // row 7 blank: skipped
        '刘国庆,+86 138-1234-5681,男,1949,1970-10-01,', // row 8 ok after normalising
        '陈桂兰,13812345682,未知,1960,2030-01-01,', // row 9 bad gender and future date
      ),
      now,
    );
    expect(v.total).toBe(7);
    expect(v.rows.map((r) => r.row)).toEqual([2, 8]);
    expect(v.rows[1].phone).toBe('13812345681');
    expect(v.errors).toEqual([
      { row: 3, field: '姓名', message: '姓名不能为空' },
      { row: 4, field: '手机号', message: '手机号“1381234567”不是 11 位手机号' },
      { row: 5, field: '手机号', message: '手机号与第 2 行重复' },
      { row: 6, field: '入党日期', message: '入党日期格式不对，请写成 1985-07-01' },
      { row: 9, field: '性别', message: '性别请填写“男”或“女”' },
      { row: 9, field: '入党日期', message: '入党日期不能晚于今天' },
    ]);
  });

  it('finds columns by header text in any order, below a title row', () => {
    const v = validateRoster(parseCsv('馨怡家园社区第一党支部党员名册\n手机号码,姓名\n13912345678,孙立新'), now);
    expect(v.errors).toEqual([]);
    expect(v.rows[0]).toMatchObject({ row: 3, name: '孙立新', phone: '13912345678', gender: null, birthYear: null });
  });

  it('refuses a file without the required header', () => {
    const v = validateRoster(parseCsv('a,b\n1,2'), now);
    expect(v.errors[0]).toMatchObject({ row: 1, field: '表头' });
  });

  it('checks birth year range and joining age', () => {
    const v = validateRoster(csv('张三丰,13812345678,男,1990,2000-01-01,', '李四光,13812345679,男,19x0,,', '王五,13812345670,男,2015,,'), now);
    expect(v.errors.map((e) => [e.row, e.field])).toEqual([
      [2, '入党日期'],
      [3, '出生年份'],
      [4, '出生年份'],
    ]);
  });

  it(`stops at ${MAX_ROSTER_ROWS} people`, () => {
    const lines = Array.from({ length: MAX_ROSTER_ROWS + 1 }, (_, i) => `党员${i},1381${String(i).padStart(7, '0')},,,,`);
    const v = validateRoster(csv(...lines), now);
    expect(v.errors).toEqual([{ row: MAX_ROSTER_ROWS + 2, field: '', message: expect.stringContaining('500') }]);
  });

  it('an empty roster is an error, not a silent success', () => {
    expect(validateRoster(csv(), now).errors[0].message).toContain('没有党员数据');
  });
});

describe('planRosterImport', () => {
  const branch = { _id: 'b1', path: ['d', 'c'] };
  const groups = [{ _id: 'b1-g1', name: '第一党小组' }];
  const existing: StoredMemberDoc[] = [
    {
      _id: 'mA',
      name: '张卫国',
      phone: '13812345678',
      openid: 'o1',
      branchId: 'b1',
      path: ['d', 'c', 'b1'],
      role: 'member',
      status: 'active',
      birthYear: 1956,
      gender: '男',
      joinedPartyOn: '1978-07-01',
      groupId: 'b1-g1',
    },
    { _id: 'mB', name: '李秀英', phone: '13812345679', openid: null, branchId: 'b1', path: ['d', 'c', 'b1'], role: 'member', status: 'active', birthYear: null, gender: null },
    { _id: 'mC', name: '王建华', phone: '13812345670', openid: null, branchId: 'b9', path: ['d', 'b9'], role: 'member', status: 'active' },
  ];
  const rows = validateRoster(
    csv(
      '张卫国,13812345678,男,1956,1978-07-01,第一党小组', // unchanged
      '李秀英,13812345679,女,1962,,', // updated (gender, birth year)
      '王建华,13812345670,男,1950,,', // other branch
      '赵淑珍,13812345671,女,1958,1985-07-01,第一党小组', // new
      '刘国庆,13812345672,男,1949,,第九党小组', // unknown group
    ),
    now,
  ).rows;
  let n = 0;
  const newId = () => `m_${String(++n).padStart(32, '0')}`;
  const plan = planRosterImport({ rows, branch, existing, groups, now, newId });

  it('creates, updates, keeps, and refuses phones of other branches and unknown groups', () => {
    expect(plan.unchanged).toBe(1);
    expect(plan.updates).toEqual([{ id: 'mB', set: { gender: '女', birthYear: 1962, updatedAt: now } }]);
    expect(plan.creates).toHaveLength(1);
    expect(plan.creates[0]).toMatchObject({
      _id: 'm_00000000000000000000000000000001',
      name: '赵淑珍',
      branchId: 'b1',
      path: ['d', 'c', 'b1'],
      groupId: 'b1-g1',
      openid: null,
      role: 'member',
      status: 'active',
    });
    expect(plan.errors).toEqual([
      { row: 4, field: '手机号', message: OTHER_BRANCH_MESSAGE },
      { row: 6, field: '党小组', message: '本支部没有“第九党小组”，已有的党小组：第一党小组' },
    ]);
  });

  it('new members get ids from the id source only, never from their phone', () => {
    const again = planRosterImport({ rows, branch, existing, groups, now, newId });
    expect(again.creates.map((c) => c._id)).toEqual(['m_00000000000000000000000000000002']);
    expect(again.creates.map((c) => c.phone)).toEqual(plan.creates.map((c) => c.phone));
  });

  it('after the import has been written, the same file changes nothing', () => {
    const written = [...existing, ...plan.creates, ...plan.updates.map((u) => ({ ...existing.find((e) => e._id === u.id)!, ...u.set }))];
    const okRows = rows.filter((r) => r.row !== 4 && r.row !== 6);
    // one doc per member: the last written version of each
    const latest = written.filter((m, i, a) => a.findIndex((x) => x._id === m._id) === i).map((m) => written.filter((x) => x._id === m._id).pop()!);
    const second = planRosterImport({ rows: okRows, branch, existing: latest, groups, now, newId });
    expect(second.creates).toEqual([]);
    expect(second.updates).toEqual([]);
    expect(second.unchanged).toBe(3);
  });
});

describe('readRosterTable', () => {
  const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
  it('reads UTF-8 CSV with and without BOM', async () => {
    const text = `${HEADER}\n张卫国,13812345678,男,1956,1978-07-01,`;
    expect(await readRosterTable('名册.csv', b64(text))).toEqual(await readRosterTable('名册.CSV', b64('\uFEFF' + text)));
    expect((await readRosterTable('名册.csv', b64(text)))[1][0]).toBe('张卫国');
  });
  it('refuses a GBK-encoded CSV with a hint', async () => {
    const gbkName = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]); // 张三 in GBK
    await expect(readRosterTable('a.csv', Buffer.concat([Buffer.from('姓名,手机号\n'), gbkName]).toString('base64'))).rejects.toBeInstanceOf(SheetFileError);
  });
  it('reads the first sheet of an .xlsx, with numbers and date cells', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名册');
    ws.addRow(['姓名', '手机号', '性别', '出生年份', '入党日期', '党小组']);
    ws.addRow(['张卫国', 13812345678, '男', 1956, new Date(Date.UTC(1978, 6, 1)), '第一党小组']);
    ws.addRow([{ richText: [{ text: '李' }, { text: '秀英' }] }, '13987654321', '女', 1962, '1990/6/15', null]);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const table = await readRosterTable('名册.xlsx', buf.toString('base64'));
    const v = validateRoster(table, now);
    expect(v.errors).toEqual([]);
    expect(v.rows.map((r) => [r.row, r.name, r.phone, r.birthYear, r.joinedPartyOn, r.group])).toEqual([
      [2, '张卫国', '13812345678', 1956, '1978-07-01', '第一党小组'],
      [3, '李秀英', '13987654321', 1962, '1990-06-15', null],
    ]);
  });
  it('refuses a broken .xlsx', async () => {
    await expect(readRosterTable('a.xlsx', b64('not a zip'))).rejects.toBeInstanceOf(SheetFileError);
  });
});
