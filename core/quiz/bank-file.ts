/**
 * Turns an uploaded bank file (.csv or .xlsx, base64) into a table of strings for validateBank.
 * Server side only: it loads exceljs, which must never reach the mini-program bundle.
 */
import { parseCsv } from './bank';

export class BankFileError extends Error {}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    const v = value as { richText?: Array<{ text: string }>; text?: unknown; result?: unknown };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if (v.result !== undefined) return cellText(v.result);
    if (v.text !== undefined) return cellText(v.text);
  }
  return String(value);
}

export async function readBankTable(fileName: string, contentBase64: string): Promise<string[][]> {
  const buf = Buffer.from(contentBase64.replace(/\s/g, ''), 'base64');
  if (buf.length === 0) throw new BankFileError('文件是空的');
  if (/\.csv$/i.test(fileName)) {
    const text = buf.toString('utf8');
    if (text.includes('\uFFFD')) throw new BankFileError('文件不是 UTF-8 编码：请在 Excel 中“另存为 CSV UTF-8”，或直接上传 .xlsx');
    return parseCsv(text);
  }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ExcelJS = require('exceljs') as typeof import('exceljs');
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch {
    throw new BankFileError('无法读取这个 .xlsx 文件，请用 Excel 重新保存后再试');
  }
  const sheet = wb.worksheets[0];
  if (!sheet) throw new BankFileError('表格里没有工作表');
  const table: string[][] = [];
  for (let r = 1; r <= Math.min(sheet.rowCount, 1000); r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= 13; c++) cells.push(cellText(row.getCell(c).value));
    table.push(cells);
  }
  return table;
}
