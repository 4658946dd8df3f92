/**
 * The report file of an import (the rows that need changes) on WeChat: opened by fileID through
 * wx.cloud.downloadFile, never a temp URL through wx.downloadFile, which needs a downloadFile domain
 * the app does not configure and fails without one.
 */
import fs from 'fs';
import path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

test('no source under src/ downloads a temp URL with Taro.downloadFile', () => {
  const callers = sources(path.join(ROOT, 'src')).filter((f) => /Taro\.downloadFile\s*\(/.test(fs.readFileSync(f, 'utf8')));
  expect(callers.map((f) => path.relative(ROOT, f))).toEqual([]);
});

test('the import report opens through the cloud file helper on WeChat, by the fileID the function answered', () => {
  const src = read('src/utils/upload-import.ts');
  expect(src).toMatch(/import \{ openCloudXlsx \} from '\.\.\/platform\/files'/);
  expect(src).toMatch(/openCloudXlsx\(Taro, file\.fileID\)/);
  // both import pages hand over the whole problemsFile (fileID and url), not a URL alone
  for (const page of ['src/pages/quiz/more/bank/index.tsx', 'src/pages/org/manage/import/index.tsx']) {
    expect(read(page)).toMatch(/openReportFile\(r\.problemsFile,/);
  }
});
