/**
 * Reads an uploaded table (.csv or .xlsx) into rows of strings for an import to validate.
 * Server side only: it loads exceljs and iconv-lite, which must never reach the mini-program bundle.
 */
import { parseCsv } from './csv';
import { decodeText } from './encoding';

import { SheetFileError } from './errors';

export { SheetFileError };

const pad2 = (n: number) => String(n).padStart(2, '0');

/** A cell as the text the person sees in Excel. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    // Excel stores dates as local wall-clock serials; exceljs hands them over as UTC midnight.
    return `${value.getUTCFullYear()}-${pad2(value.getUTCMonth() + 1)}-${pad2(value.getUTCDate())}`;
  }
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    const v = value as { richText?: Array<{ text: string }>; text?: unknown; result?: unknown };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if (v.result !== undefined) return cellText(v.result);
    if (v.text !== undefined) return cellText(v.text);
  }
  return String(value);
}

export interface SheetLimits {
  /** rows read from the first sheet of an .xlsx */
  maxRows: number;
  /** columns read from each row: a fixed layout reads exactly this many, else the sheet's used width up to this */
  columns: number;
  fixedColumns?: boolean;
}

/** The table of a .csv (by its name) or of the first sheet of an .xlsx, from base64. */
export async function readSheet(fileName: string, contentBase64: string, limits: SheetLimits): Promise<string[][]> {
  return readSheetBuffer(fileName, Buffer.from(contentBase64.replace(/\s/g, ''), 'base64'), limits);
}

/**
 * The same from the file's bytes. A .csv may be UTF-8 (with or without BOM), UTF-16 with BOM, or
 * GBK/GB18030 as Excel in China saves it (encoding.ts decides).
 */
export async function readSheetBuffer(fileName: string, buf: Buffer, limits: SheetLimits): Promise<string[][]> {
  if (buf.length === 0) throw new SheetFileError('文件是空的');
  if (/\.csv$/i.test(fileName)) {
    const rows = parseCsv(decodeText(buf));
    return rows.slice(0, limits.maxRows).map((r) => (limits.fixedColumns ? Array.from({ length: limits.columns }, (_, i) => r[i] ?? '') : r.slice(0, limits.columns)));
  }
  const ExcelJS = require('exceljs') as typeof import('exceljs');
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch {
    throw new SheetFileError('无法读取这个 .xlsx 文件，请用 Excel 重新保存后再试（.xls 请另存为 .xlsx）');
  }
  const sheet = wb.worksheets[0];
  if (!sheet) throw new SheetFileError('表格里没有工作表');
  const width = limits.fixedColumns ? limits.columns : Math.min(sheet.columnCount, limits.columns);
  const table: string[][] = [];
  for (let r = 1; r <= Math.min(sheet.rowCount, limits.maxRows); r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c).value));
    table.push(cells);
  }
  return table;
}
