/**
 * Turns an uploaded bank file into a table of strings for validateBank: .xlsx, .csv (UTF-8 or
 * GBK/GB18030), or a .docx question list. Server side only (exceljs, iconv-lite, jszip).
 */
import { BANK_FILE_RE, MAX_BANK_ROWS } from './bank';
import { docxQuestions } from './bank-docx';
import { readDocxLines } from '../sheet/docx';
import { readSheetBuffer, SheetFileError } from '../sheet/read';

export { BANK_FILE_RE };

export interface BankTable {
  table: string[][];
  /** what a row number means to the organiser: a spreadsheet row, or a question of a document */
  unit: '行' | '题';
  rowNumber?: (index: number) => number;
}

export async function readBankFile(fileName: string, buf: Buffer): Promise<BankTable> {
  if (!BANK_FILE_RE.test(fileName)) throw new SheetFileError('只支持 .xlsx、.csv 或 .docx 文件');
  if (/\.docx$/i.test(fileName)) {
    const { table, numbers } = docxQuestions(await readDocxLines(buf));
    if (table.length === 1) throw new SheetFileError('文档里没有找到编号的题目：每道题应以“1.”这样的题号开头，答案写成“答案：B”');
    return { table, unit: '题', rowNumber: (i) => numbers[i] ?? i };
  }
  // the bank's row limit and then some, so validateBank can say the file is too long
  const table = await readSheetBuffer(fileName, buf, { maxRows: MAX_BANK_ROWS + 20, columns: 40 });
  return { table, unit: '行' };
}

export async function readBankTable(fileName: string, contentBase64: string): Promise<BankTable> {
  return readBankFile(fileName, Buffer.from(contentBase64.replace(/\s/g, ''), 'base64'));
}
