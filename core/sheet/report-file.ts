/**
 * The file an organiser downloads after an import: the rows that need changes, as they were, with a
 * 问题 column saying what to change. Fixed and uploaded again, it imports the rest. Server side only.
 */
export async function problemsWorkbook(header: readonly string[], rows: ReadonlyArray<{ row: number; cells: readonly string[]; problems: readonly string[] }>, unit: '行' | '题' = '行'): Promise<Buffer> {
  const ExcelJS = require('exceljs') as typeof import('exceljs');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('需要修改');
  ws.addRow([...header, '问题', `原文件第几${unit}`]);
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow([...header.map((_, i) => r.cells[i] ?? ''), r.problems.join('；'), r.row]);
  ws.getColumn(header.length + 1).width = 50;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
