/**
 * Turns an uploaded roster (.csv or .xlsx, base64) into a table of strings for validateRoster.
 * Server side only (core/sheet/read.ts loads exceljs).
 */
import { readSheet } from '../sheet/read';

/** Columns may come in any order, under a title row: the sheet's used width, up to 30. */
export const readRosterTable = (fileName: string, contentBase64: string): Promise<string[][]> =>
  readSheet(fileName, contentBase64, { maxRows: 2000, columns: 30 });
