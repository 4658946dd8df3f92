/**
 * Turns an uploaded bank file (.csv or .xlsx, base64) into a table of strings for validateBank.
 * Server side only (core/sheet/read.ts loads exceljs).
 */
import { BANK_COLUMNS, MAX_BANK_ROWS } from './bank';
import { readSheet, SheetFileError } from '../sheet/read';

/** rows read from an .xlsx: the bank's row limit and then some, so validateBank can say the file is too long */
const MAX_SHEET_ROWS = MAX_BANK_ROWS * 2;

export async function readBankTable(fileName: string, contentBase64: string): Promise<string[][]> {
  if (Buffer.from(contentBase64.replace(/\s/g, ''), 'base64').length === 0) throw new SheetFileError('文件是空的');
  return readSheet(fileName, contentBase64, { maxRows: MAX_SHEET_ROWS, columns: BANK_COLUMNS.length, fixedColumns: true });
}
