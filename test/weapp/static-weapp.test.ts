/**
 * Static checks of what only WeChat reads: the app config module (src/app.config.ts, evaluated as
 * Taro does) and the sources under src/. Each guards a WeChat-only path the H5 tests never run.
 */
import fs from 'fs';
import path from 'path';
import { loadAppConfig, PRIVACY_APIS, PRIVATE_INFO_APIS } from './wx-double';

const ROOT = path.resolve(__dirname, '../..');
const SRC = path.join(ROOT, 'src');
const config = loadAppConfig();

function sources(dir = SRC): { file: string; text: string }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.tsx?$/.test(e.name) ? [{ file: path.relative(ROOT, p), text: fs.readFileSync(p, 'utf8') }] : [];
  });
}
const SOURCES = sources();

/** `Taro.<api>(` or `api.<api>(` / `wx.<api>(` in src/ */
function callersOf(api: string): string[] {
  const re = new RegExp(`\\.${api}\\s*\\(`);
  return SOURCES.filter((s) => re.test(s.text)).map((s) => s.file);
}

test('every location API the app calls is declared in requiredPrivateInfos', () => {
  const called = PRIVATE_INFO_APIS.filter((api) => callersOf(api).length > 0);
  expect(called).toEqual(expect.arrayContaining(['getLocation', 'chooseLocation']));
  expect(config.requiredPrivateInfos ?? []).toEqual(expect.arrayContaining(called));
});

test('scope.userLocation carries the purpose WeChat shows (Chinese, at most 30 characters)', () => {
  const desc = config.permission?.['scope.userLocation']?.desc ?? '';
  expect(desc).toMatch(/[\u4e00-\u9fff]/);
  expect([...desc].length).toBeLessThanOrEqual(30);
});

test('the privacy flow is registered at launch and every page renders the sheet with the agree button', () => {
  const app = fs.readFileSync(path.join(SRC, 'app.ts'), 'utf8');
  expect(app).toMatch(/startPrivacyFlow\(Taro\)/);
  const page = fs.readFileSync(path.join(SRC, 'components/page.tsx'), 'utf8');
  expect(page).toMatch(/<PrivacySheet \/>/);
  const sheet = fs.readFileSync(path.join(SRC, 'platform/privacy-sheet.tsx'), 'utf8');
  expect(sheet).toMatch(/openType='agreePrivacyAuthorization'/);
  expect(sheet).toMatch(/id=\{PRIVACY_AGREE_BUTTON_ID\}/);
  expect(sheet).toMatch(/onAgreePrivacyAuthorization=\{\(\) => flow\.agree\(\)\}/);
  // the pages that call a privacy API all render through <Page> (and so through the sheet)
  const privacyCallers = [...new Set(PRIVACY_APIS.flatMap(callersOf))].filter((f) => f.startsWith('src/pages/'));
  for (const f of privacyCallers) expect([f, /<Page[\s>]/.test(fs.readFileSync(path.join(ROOT, f), 'utf8'))]).toEqual([f, true]);
});

test('location errors are never swallowed: no bare Taro.getLocation / chooseLocation outside src/platform', () => {
  const direct = SOURCES.filter((s) => !s.file.startsWith('src/platform/') && /Taro\.(getLocation|chooseLocation)\s*\(/.test(s.text)).map((s) => s.file);
  expect(direct).toEqual([]);
});

test('the 台账 export opens its file by fileID: no Taro.downloadFile of a temp URL (it needs a downloadFile domain)', () => {
  const ledger = fs.readFileSync(path.join(SRC, 'pages/activity/more/ledger/index.tsx'), 'utf8');
  expect(ledger).not.toMatch(/Taro\.downloadFile\s*\(/);
  expect(ledger).toMatch(/openCloudXlsx\(Taro, out\.fileID\)/);
  expect(ledger).not.toMatch(/openFile\([^)]*\)\.catch\(\(\) => undefined\)/);
});

test('no page reaches for a global wx: the Taro API only', () => {
  const offenders = SOURCES.filter((s) => /globalThis[^;\n]*\bwx\b|window\.wx\b/.test(s.text)).map((s) => s.file);
  expect(offenders).toEqual([]);
});

test('every page in the config has its source, and the invite page is in the main package', () => {
  const pages = [...config.pages, ...(config.subPackages ?? []).flatMap((p) => p.pages.map((x) => `${p.root}/${x}`))];
  for (const p of pages) expect([p, fs.existsSync(path.join(SRC, `${p}.tsx`))]).toEqual([p, true]);
  expect(config.pages).toContain('pages/org/join/index');
});
