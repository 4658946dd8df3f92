import fs from 'fs';
import path from 'path';
import { buildFunctions, checkFunctionFolder } from '../../emulator/build-functions';
import { FunctionHost } from '../../emulator/host';

function makeFn(root: string, name: string, opts: { sdk?: string | null; config?: boolean } = {}) {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'index.ts'),
    [
      "import cloud from 'wx-server-sdk';",
      "import { greet } from '../shared/greet';",
      'cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });',
      'export async function main(event: { who?: string }) {',
      '  const { OPENID } = cloud.getWXContext();',
      "  return { text: greet(event.who ?? 'x'), OPENID, optional: event?.who ?? null };",
      '}',
    ].join('\n'),
  );
  if (opts.sdk !== null) {
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, dependencies: { 'wx-server-sdk': opts.sdk ?? '4.0.2' } }));
  }
  if (opts.config !== false) fs.writeFileSync(path.join(dir, 'config.json'), '{}');
}

describe('build-functions', () => {
  // Inside the repository so the bundle can resolve wx-server-sdk from the root node_modules when run.
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(__dirname, '..', 'fixtures', 'functions', '.build-'));
    fs.mkdirSync(path.join(root, 'shared'));
    fs.writeFileSync(path.join(root, 'shared', 'greet.ts'), "export const greet = (who: string): string => `你好, ${who}`;\n");
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('bundles index.ts to a Node 16 CommonJS index.js with wx-server-sdk external, and it runs on the host', async () => {
    makeFn(root, 'hello');
    const built = await buildFunctions(root);
    expect(built).toEqual([{ name: 'hello', bytes: expect.any(Number) }]);
    const js = fs.readFileSync(path.join(root, 'hello', 'index.js'), 'utf8');
    expect(js).toContain('require("wx-server-sdk")');
    expect(js).toMatch(/var greet = /); // the relative import is inlined
    expect(js).toContain('module.exports');
    expect(js).not.toMatch(/^import /m);
  });

  test('builds symlinked function folders, writing index.js whole (no temp file left behind)', async () => {
    makeFn(root, 'hello');
    const set = fs.mkdtempSync(path.join(root, 'set-'));
    fs.symlinkSync(path.join(root, 'hello'), path.join(set, 'hello'), 'dir');
    expect(await buildFunctions(set)).toEqual([{ name: 'hello', bytes: expect.any(Number) }]);
    expect(fs.readdirSync(path.join(root, 'hello')).sort()).toEqual(['config.json', 'index.js', 'index.ts', 'package.json']);
  });

  test('the bundle runs unmodified on the function host', async () => {
    makeFn(root, 'hello');
    await buildFunctions(root);
    const host = new FunctionHost({ functionsDir: root, adminUrl: () => 'http://127.0.0.1:9/admin', log: () => undefined });
    try {
      const r = await host.invoke('hello', { who: '老党员' }, { OPENID: 'oZ' });
      expect(r.result).toEqual({ text: '你好, 老党员', OPENID: 'oZ', optional: '老党员' });
    } finally {
      await host.close();
    }
  });

  test('refuses folders without package.json pinning wx-server-sdk 4.0.2 or without config.json', async () => {
    makeFn(root, 'nopkg', { sdk: null });
    makeFn(root, 'caret', { sdk: '^4.0.2' });
    makeFn(root, 'nocfg', { config: false });
    await expect(buildFunctions(root)).rejects.toThrow(/caret: package.json must declare "wx-server-sdk": "4.0.2" exactly[\s\S]*nocfg: config.json is missing[\s\S]*nopkg: package.json is missing/);
    expect(checkFunctionFolder(path.join(root, 'caret'))).toHaveLength(1);
    expect(fs.existsSync(path.join(root, 'caret', 'index.js'))).toBe(false);
  });
});
