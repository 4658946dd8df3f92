/**
 * The lint rules that hold the architecture actually fire: each forbidden import between layers is
 * reported by the real eslint.config.mjs (and the allowed ones are not), and import cycles are
 * reported whether they run through values (import-x/no-cycle) or through a type import
 * (local/no-type-import-cycle). ESLint's config is ESM, so it runs in a child node process.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** Some existing source file of a layer (a .json one where the layer is data), so the import resolves as a real one would. */
function fileIn(layer: string): string {
  const walk = (dir: string, name: RegExp): string | undefined => {
    for (const e of readdirSync(path.join(root, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== 'node_modules') {
        const hit = walk(rel, name);
        if (hit) return hit;
      } else if (name.test(e.name) && !e.name.endsWith('.d.ts')) return rel;
    }
    return undefined;
  };
  const hit = walk(layer, /\.tsx?$/) ?? walk(layer, /\.json$/);
  if (!hit) throw new Error(`no source file in ${layer}/`);
  return hit;
}

type Probe = { name: string; filePath: string; code: string };
type Lint = { name: string; messages: { ruleId: string | null; message: string; line: number }[] };

function probe(from: string, to: string, kind: 'value' | 'type' = 'value'): Probe {
  const filePath = `${from}/__lint_probe__.ts`;
  let spec = path.relative(from, fileIn(to)).replace(/\.tsx?$/, '');
  if (!spec.startsWith('.')) spec = `./${spec}`;
  const code = kind === 'type' ? `import type * as T from '${spec}';\nexport type X = typeof T;\n` : `import '${spec}';\n`;
  return { name: `${from} → ${to}${kind === 'type' ? ' (type)' : ''}`, filePath, code };
}

const forbidden: Probe[] = [
  probe('core', 'src'),
  probe('core', 'cloudfunctions'),
  probe('core', 'emulator'),
  probe('core', 'test'),
  probe('cloudfunctions', 'src'),
  probe('cloudfunctions', 'emulator'),
  probe('src', 'cloudfunctions'),
  probe('src', 'emulator'),
  probe('src', 'emulator', 'type'),
  probe('emulator', 'core'),
  probe('emulator', 'core', 'type'),
  probe('emulator', 'cloudfunctions'),
  probe('emulator', 'src'),
  probe('emulator', 'scripts'),
  probe('emulator', 'cloudbase'),
];
const allowed: Probe[] = [
  probe('cloudfunctions', 'core'),
  probe('src', 'core'),
  probe('test', 'core'),
  probe('test', 'emulator'),
  probe('test', 'cloudfunctions'),
  probe('scripts', 'emulator'),
  probe('bench', 'core'),
  probe('core', 'cloudbase'),
  probe('scripts', 'cloudbase'),
];

/** Cycle fixtures, written under test-output/ (ignored by git and by `npm run lint`). */
const fixtureDir = path.join('test-output', `lint-cycles-${process.pid}`);
const fixtures: Record<string, string> = {
  'type-a.ts': "import type { B } from './type-b';\nexport type A = { b?: B };\n",
  'type-b.ts': "import type { A } from './type-a';\nexport type B = { a?: A };\n",
  'value-c.ts': "import { d } from './value-d';\nexport const c = () => d;\n",
  'value-d.ts': "import { c } from './value-c';\nexport const d = () => c;\n",
  'mixed-e.ts': "import type { F } from './mixed-f';\nexport const e = (f: F) => f;\n",
  'mixed-f.ts': "import { e } from './mixed-e';\nexport type F = number;\nexport const f: F = e(1);\n",
  'line-g.ts': "import type { H } from './line-h';\nexport type G = H[];\n",
  'line-h.ts': 'export type H = string;\n',
};

const script = `
import { ESLint } from 'eslint';
const { probes, fixtureDir } = JSON.parse(process.argv[1]);
const project = new ESLint({ cwd: process.cwd() });
const out = { zones: [], rules: {}, cycles: [] };
for (const p of probes) {
  const [r] = await project.lintText(p.code, { filePath: p.filePath });
  out.zones.push({ name: p.name, messages: r.messages });
}
for (const layer of ['src/x.tsx', 'core/x.ts', 'cloudfunctions/x/x.ts', 'emulator/x.ts', 'scripts/x.ts', 'test/x.ts', 'bench/x.ts']) {
  const c = await project.calculateConfigForFile(layer);
  out.rules[layer] = ['import-x/no-cycle', 'local/no-type-import-cycle', 'import-x/no-restricted-paths'].map((k) => c.rules?.[k]?.[0] ?? 0);
}
// The fixtures sit outside the linted folders, so lint them with exactly what the project applies to core/.
const real = await project.calculateConfigForFile('core/x.ts');
const cycles = new ESLint({
  cwd: process.cwd(),
  ignore: false,
  overrideConfigFile: true,
  overrideConfig: [{
    files: [fixtureDir + '/**/*.ts'],
    languageOptions: real.languageOptions,
    plugins: real.plugins,
    settings: real.settings,
    rules: { 'import-x/no-cycle': real.rules['import-x/no-cycle'], 'local/no-type-import-cycle': real.rules['local/no-type-import-cycle'] },
  }],
});
for (const r of await cycles.lintFiles([fixtureDir])) out.cycles.push({ name: r.filePath.split('/').pop(), messages: r.messages });
console.log(JSON.stringify(out));
`;

let result: { zones: Lint[]; rules: Record<string, number[]>; cycles: Lint[] };

beforeAll(() => {
  mkdirSync(path.join(root, fixtureDir), { recursive: true });
  for (const [name, text] of Object.entries(fixtures)) writeFileSync(path.join(root, fixtureDir, name), text);
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify({ probes: [...forbidden, ...allowed], fixtureDir })], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`eslint probe failed: ${run.stderr || run.error}`);
  result = JSON.parse(run.stdout);
}, 150_000);

afterAll(() => rmSync(path.join(root, fixtureDir), { recursive: true, force: true }));

const zoneErrors = (name: string) => {
  const r = result.zones.find((z) => z.name === name);
  if (!r) throw new Error(`no result for ${name}`);
  return r.messages.filter((m) => m.ruleId === 'import-x/no-restricted-paths');
};
const rulesOf = (file: string) => result.cycles.find((c) => c.name === file)!.messages.map((m) => m.ruleId);

test.each(forbidden.map((p) => p.name))('%s is refused', (name) => {
  expect(zoneErrors(name)).toHaveLength(1);
});

test.each(allowed.map((p) => p.name))('%s is allowed', (name) => {
  expect(zoneErrors(name)).toHaveLength(0);
});

test('every layer runs the cycle rules and the layer zones as errors', () => {
  for (const [layer, severities] of Object.entries(result.rules)) expect([layer, severities]).toEqual([layer, [2, 2, 2]]);
});

test('a cycle of type imports is reported at each type import, by the local rule only', () => {
  expect(rulesOf('type-a.ts')).toEqual(['local/no-type-import-cycle']);
  expect(rulesOf('type-b.ts')).toEqual(['local/no-type-import-cycle']);
  expect(result.cycles.find((c) => c.name === 'type-a.ts')!.messages[0].message).toContain('type-a.ts → ');
});

test('a cycle of value imports is reported by import-x/no-cycle only', () => {
  expect(rulesOf('value-c.ts')).toEqual(['import-x/no-cycle']);
  expect(rulesOf('value-d.ts')).toEqual(['import-x/no-cycle']);
});

test('a cycle of one type import and one value import is reported once, at the type import', () => {
  expect(rulesOf('mixed-e.ts')).toEqual(['local/no-type-import-cycle']);
  expect(rulesOf('mixed-f.ts')).toEqual([]);
});

test('a type import without a way back is not a cycle', () => {
  expect(rulesOf('line-g.ts')).toEqual([]);
  expect(rulesOf('line-h.ts')).toEqual([]);
});
