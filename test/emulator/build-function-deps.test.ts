/**
 * The packages a function's package.json declares stay out of its bundle (CloudBase installs them
 * at deploy, 云端安装依赖), so a cold start does not parse them; an action that needs one requires it
 * when it runs, and the emulator's host resolves it as a deployed instance would.
 */
import fs from 'fs';
import path from 'path';
import { buildFunctions, checkFunctionFolder, externalsOf, localVersion } from '../../emulator/build-functions';
import { FunctionHost } from '../../emulator/host';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the version installed at the root
const EXCELJS = (require('exceljs/package.json') as { version: string }).version;

const SOURCE = [
  "import cloud from 'wx-server-sdk';",
  'cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });',
  "const loaded = () => Object.keys(require.cache).some((k) => k.includes('/node_modules/exceljs/'));",
  'export async function main(event: { export?: boolean }) {',
  '  const before = loaded();',
  '  if (!event.export) return { before };',
  "  const ExcelJS = require('exceljs');",
  '  const wb = new ExcelJS.Workbook();',
  "  wb.addWorksheet('台账').addRow(['姓名', '学时']);",
  '  const buf = await wb.xlsx.writeBuffer();',
  '  return { before, after: loaded(), bytes: buf.byteLength };',
  '}',
].join('\n');

function makeFn(root: string, name: string, deps: Record<string, string>) {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.ts'), SOURCE);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, dependencies: { 'wx-server-sdk': '4.0.2', ...deps } }));
  fs.writeFileSync(path.join(dir, 'config.json'), '{}');
  return dir;
}

describe('dependencies of a function', () => {
  // inside the repository, so the root node_modules is reachable from the function folder
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(__dirname, '..', 'fixtures', 'functions', '.deps-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('a declared package stays a require in the bundle, loaded only by the call that needs it, on the host', async () => {
    makeFn(root, 'ledger', { exceljs: EXCELJS });
    const [built] = await buildFunctions(root);
    const js = fs.readFileSync(path.join(root, 'ledger', 'index.js'), 'utf8');
    expect(js).toContain('require("exceljs")');
    // exceljs inlined is megabytes; left out, the bundle is the function's own code
    expect(built.bytes).toBeLessThan(50 * 1024);
    // the ledger function's timeout as the repository's are set (cloudbaserc.json): loading exceljs on a
    // busy machine can take longer than CloudBase's default 3 s, and the load is what is measured here
    const manifest = path.join(root, 'cloudbaserc.json');
    fs.writeFileSync(manifest, JSON.stringify({ version: '2.0', functionRoot: '.', functions: [{ name: 'ledger', timeout: 20 }] }));
    const host = new FunctionHost({ functionsDir: root, manifest, adminUrl: () => 'http://127.0.0.1:9/admin', log: () => undefined });
    try {
      expect((await host.invoke('ledger', {}, { OPENID: 'o1' })).result).toEqual({ before: false });
      const r = (await host.invoke('ledger', { export: true }, { OPENID: 'o1' })).result as { before: boolean; after: boolean; bytes: number };
      expect(r).toMatchObject({ before: false, after: true });
      expect(r.bytes).toBeGreaterThan(1000);
    } finally {
      await host.close();
    }
  });

  test('externals are the declared packages and their subpaths, wx-server-sdk always', () => {
    const dir = makeFn(root, 'x', { exceljs: EXCELJS });
    expect(externalsOf(dir).sort()).toEqual(['exceljs', 'exceljs/*', 'wx-server-sdk', 'wx-server-sdk/*']);
    expect(localVersion(dir, 'exceljs')).toBe(EXCELJS);
    expect(localVersion(dir, 'no-such-package-here')).toBeUndefined();
  });

  test('a range, or a version other than the one installed locally, is refused before building', async () => {
    makeFn(root, 'caret', { exceljs: `^${EXCELJS}` });
    makeFn(root, 'other', { exceljs: '4.3.0' });
    makeFn(root, 'absent', { 'no-such-package-here': '1.0.0' });
    await expect(buildFunctions(root)).rejects.toThrow(
      new RegExp(
        [
          'absent: "no-such-package-here" 1\\.0\\.0 is declared but nothing is installed',
          'caret: package\\.json must pin "exceljs" to an exact version',
          `other: "exceljs" 4\\.3\\.0 is declared but ${EXCELJS.replace(/\./g, '\\.')} is installed`,
        ].join('[\\s\\S]*'),
      ),
    );
    expect(fs.existsSync(path.join(root, 'caret', 'index.js'))).toBe(false);
  });

  test("the repository's functions pin what they leave out, and it is installed at that version", () => {
    const fnRoot = path.join(__dirname, '..', '..', 'cloudfunctions');
    const names = fs.readdirSync(fnRoot).filter((n) => fs.existsSync(path.join(fnRoot, n, 'package.json')));
    expect(names.flatMap((n) => checkFunctionFolder(path.join(fnRoot, n)))).toEqual([]);
    const declared = (n: string) => Object.keys(JSON.parse(fs.readFileSync(path.join(fnRoot, n, 'package.json'), 'utf8')).dependencies);
    // the heavy libraries are declared by the functions whose actions use them
    for (const n of ['activity', 'org', 'quiz', 'study']) expect(declared(n)).toContain('exceljs');
    expect(declared('activity')).toContain('qrcode');
  });
});
