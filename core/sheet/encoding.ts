/**
 * The text of an uploaded .csv or .txt: UTF-8 with or without BOM, UTF-16 with BOM, or the GBK /
 * GB18030 that Excel in China writes ("CSV (逗号分隔)"). Server side only (iconv-lite).
 */
import { SheetFileError } from './errors';

// loaded by the call that decodes a legacy file, not at a cold start: the functions that import files
// declare both in their package.json, so their bundles keep these as `require` (emulator/build-functions.ts)
/* eslint-disable @typescript-eslint/no-require-imports */
const iconv = () => require('iconv-lite') as typeof import('iconv-lite');
const chardet = () => require('chardet') as typeof import('chardet');
/* eslint-enable @typescript-eslint/no-require-imports */

/** Bytes that decode as strict UTF-8 are UTF-8: GBK text almost never does. */
function isUtf8(buf: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}

export function decodeText(buf: Buffer): string {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString('utf8');
  if (buf[0] === 0xff && buf[1] === 0xfe) return iconv().decode(buf.subarray(2), 'utf16le');
  if (buf[0] === 0xfe && buf[1] === 0xff) return iconv().decode(buf.subarray(2), 'utf16be');
  if (isUtf8(buf)) return buf.toString('utf8');
  // not UTF-8: a Chinese legacy encoding; chardet tells Big5 (Taiwan, Hong Kong) from the GB family
  // from the first 64 KB: the whole of a 5 MB file takes seconds and says no more
  const guess = String(chardet().detect(buf.subarray(0, 64 * 1024)) ?? '').toLowerCase();
  const enc = guess === 'big5' ? 'big5' : 'gb18030';
  const text = iconv().decode(buf, enc);
  if (text.includes('\uFFFD')) throw new SheetFileError('看不懂文件的编码：请在 Excel 中“另存为 CSV UTF-8”，或直接上传 .xlsx');
  return text;
}
