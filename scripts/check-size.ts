/**
 * Package sizes of the production weapp build in dist/ (run after `npm run build:weapp`).
 * WeChat's limits: 2 MB per package (main or sub), 20 MB in all. Our own budget for the main
 * package is 1 MB, so members' first download stays small; this exits non-zero above it.
 * Counts what WeChat uploads: no source maps, licence notes or project config files.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

export const MAIN_BUDGET = 1024 * 1024;
export const PACKAGE_LIMIT = 2 * 1024 * 1024;
export const TOTAL_LIMIT = 20 * 1024 * 1024;

const IGNORED = [/\.map$/, /\.LICENSE\.txt$/, /^project(\.private)?\.config\.json$/];

function walk(dir: string, base = dir): { rel: string; bytes: number }[] {
  const out: { rel: string; bytes: number }[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full, base));
    else if (!IGNORED.some((re) => re.test(entry.name))) {
      out.push({ rel: path.relative(base, full).split(path.sep).join('/'), bytes: fs.statSync(full).size });
    }
  }
  return out;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

function main(): number {
  const appJson = path.join(DIST, 'app.json');
  if (!fs.existsSync(appJson)) {
    console.error('dist/app.json not found: run `npm run build:weapp` first');
    return 2;
  }
  const app = JSON.parse(fs.readFileSync(appJson, 'utf8')) as { subPackages?: { root: string }[]; subpackages?: { root: string }[] };
  const roots = (app.subPackages ?? app.subpackages ?? []).map((s) => s.root.replace(/\/?$/, '/'));
  const files = walk(DIST);
  const sizes = new Map<string, number>([['main', 0], ...roots.map((r) => [r, 0] as [string, number])]);
  for (const f of files) {
    const root = roots.find((r) => f.rel.startsWith(r)) ?? 'main';
    sizes.set(root, (sizes.get(root) ?? 0) + f.bytes);
  }
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  const problems: string[] = [];
  const mainBytes = sizes.get('main') ?? 0;
  console.log(`weapp main package   ${kb(mainBytes)}  (budget ${kb(MAIN_BUDGET)}, WeChat limit ${kb(PACKAGE_LIMIT)})`);
  if (mainBytes >= MAIN_BUDGET) problems.push(`main package ${kb(mainBytes)} is over the ${kb(MAIN_BUDGET)} budget`);
  for (const r of roots) {
    const b = sizes.get(r) ?? 0;
    console.log(`weapp subpackage ${r}  ${kb(b)}`);
    if (b >= PACKAGE_LIMIT) problems.push(`subpackage ${r} ${kb(b)} is over WeChat's ${kb(PACKAGE_LIMIT)}`);
  }
  console.log(`weapp total          ${kb(total)}  (WeChat limit ${kb(TOTAL_LIMIT)})`);
  if (total >= TOTAL_LIMIT) problems.push(`total ${kb(total)} is over WeChat's ${kb(TOTAL_LIMIT)}`);

  for (const p of problems) console.error(`OVER BUDGET: ${p}`);
  return problems.length ? 1 : 0;
}

process.exitCode = main();
