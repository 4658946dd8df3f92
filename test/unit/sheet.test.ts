/** The one CSV parser and spreadsheet reader behind the roster and bank imports. */
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { parseCsv, toCsv } from '../../core/sheet/csv';
import { cellText, readSheet, SheetFileError } from '../../core/sheet/read';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

async function xlsx(rows: unknown[][]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('表');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
}

describe('parseCsv', () => {
  it('reads quoted fields, doubled quotes, commas and line breaks inside quotes', () => {
    expect(parseCsv('a,"b, c","say ""hi""","two\nlines"\r\nx,y')).toEqual([
      ['a', 'b, c', 'say "hi"', 'two\nlines'],
      ['x', 'y'],
    ]);
  });
  it('drops a leading BOM and keeps blank records so row numbers match Excel', () => {
    expect(parseCsv('\uFEFF题型,题干\r\n\r\n单选,x\n')).toEqual([['题型', '题干'], [''], ['单选', 'x']]);
  });
  it('reads a quote inside an unquoted field as text', () => {
    expect(parseCsv('党的"四个意识",A')).toEqual([['党的"四个意识"', 'A']]);
  });
  it('gives no rows for an empty file and keeps a trailing empty field', () => {
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('a,')).toEqual([['a', '']]);
  });
  it('reads back what toCsv writes, whatever the cells', () => {
    const cell = fc.string({ maxLength: 8 }).map((s) => s.replace(/^\uFEFF/, ''));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }), (rows) => {
        expect(parseCsv(toCsv(rows))).toEqual(rows);
      }),
    );
  });
  it('writes a BOM and CRLF for Excel', () => {
    expect(toCsv([['a', 'b,c']])).toBe('\uFEFFa,"b,c"\r\n');
  });
});

describe('cellText', () => {
  it('shows cells as Excel does', () => {
    expect(cellText(null)).toBe('');
    expect(cellText(undefined)).toBe('');
    expect(cellText(13812345678)).toBe('13812345678');
    expect(cellText(1.5)).toBe('1.5');
    expect(cellText(true)).toBe('true');
    expect(cellText(new Date(Date.UTC(1978, 6, 1)))).toBe('1978-07-01');
    expect(cellText({ richText: [{ text: '李' }, { text: '秀英' }] })).toBe('李秀英');
    expect(cellText({ formula: 'A1+1', result: 3 })).toBe('3');
    expect(cellText({ text: '链接', hyperlink: 'https://example.com' })).toBe('链接');
  });
});

describe('readSheet', () => {
  const limits = { maxRows: 100, columns: 30 };
  it('reads a UTF-8 .csv by its name, with or without BOM', async () => {
    expect(await readSheet('a.CSV', b64('\uFEFF姓名,手机号\n张三,1'), limits)).toEqual([
      ['姓名', '手机号'],
      ['张三', '1'],
    ]);
  });
  it('reads a GBK .csv as Excel in China saves it, and refuses bytes in no encoding it knows', async () => {
    const gbk = iconv.encode('姓名,手机号\n张卫国,13812345678\n李秀英,13987654321\n', 'gbk');
    expect(await readSheet('a.csv', gbk.toString('base64'), limits)).toEqual([['姓名', '手机号'], ['张卫国', '13812345678'], ['李秀英', '13987654321']]);
    const broken = Buffer.concat([Buffer.from('姓名\n'), Buffer.from([0xff, 0xff, 0xfe])]);
    await expect(readSheet('a.csv', broken.toString('base64'), limits)).rejects.toThrow(/UTF-8/);
  });
  it("reads the first sheet's used width, up to the column limit", async () => {
    const file = await xlsx([
      ['a', 'b', 'c'],
      [1, null, new Date(Date.UTC(2024, 0, 2))],
    ]);
    expect(await readSheet('t.xlsx', file, limits)).toEqual([
      ['a', 'b', 'c'],
      ['1', '', '2024-01-02'],
    ]);
    expect(await readSheet('t.xlsx', file, { maxRows: 1, columns: 2 })).toEqual([['a', 'b']]);
  });
  it('reads a fixed number of columns, padding short rows', async () => {
    expect(await readSheet('t.xlsx', await xlsx([['a']]), { maxRows: 10, columns: 3, fixedColumns: true })).toEqual([['a', '', '']]);
  });
  it('refuses a file that is not an .xlsx with a hint', async () => {
    const err = await readSheet('t.xlsx', b64('not a zip'), limits).catch((e) => e);
    expect(err).toBeInstanceOf(SheetFileError);
    expect(err.message).toMatch(/重新保存/);
  });
});
