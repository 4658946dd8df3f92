/**
 * What each cloud function costs a new instance: the size of its bundle (index.js, what CloudBase
 * loads) and the cold start of a fresh Node process, split into
 *   - load: `require('./index.js')` (parsing the bundle and running its top level), and
 *   - first call: `main()` with an unknown action (SDK init, the router's answer; no database),
 * each the median of RUNS fresh processes, beside wx-server-sdk alone (the floor every function pays).
 * The packages a function's package.json declares besides wx-server-sdk are left out of its bundle
 * (emulator/build-functions.ts) and loaded by the actions that use them: for each, the time its first
 * `require` takes in an instance that has already loaded the bundle (what the first such call pays).
 *
 *   npx tsx bench/cold-start.ts            (build the functions first: npm run build:functions)
 *   COLD_RUNS=9 npx tsx bench/cold-start.ts --json
 *   npx tsx bench/cold-start.ts <functionsDir>   (another built copy)
 *   npx tsx bench/cold-start.ts --compare <beforeDir> [afterDir]
 *       before/after on a shared machine: for each function, RUNS rounds of one fresh process of each
 *       copy back to back (the order alternating), so both see the same load; medians of each and
 *       the median of the paired differences (afterDir: ./cloudfunctions)
 *
 * The processes run with the environment the emulator gives an instance (a local TCB URL, dummy
 * keys, TENCENTCLOUD=true so the SDK does not probe a metadata host), so nothing leaves the machine.
 */
import { spawnSync } from 'child_process';
import fs from 'fs';
import path from 'path';

const ROOT = path.resolve(__dirname, '..');
// another functions folder (e.g. an older checkout, to compare) as the first argument
const POSITIONAL = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const FN_ROOT = path.resolve(POSITIONAL[0] ?? path.join(ROOT, 'cloudfunctions'));
const RUNS = Math.max(1, Number(process.env.COLD_RUNS ?? 5));

export interface ColdStartRow {
  name: string;
  bytes: number;
  loadMs: number;
  firstCallMs: number;
  /** package → ms of its first require, after the bundle is loaded (lazily loaded packages) */
  lazyMs: Record<string, number>;
}

// CPU time beside wall time: on a shared machine a process waits for a core, which wall time counts
const PROBE = `
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };
const c0 = cpu();
const t0 = process.hrtime.bigint();
const mod = require(process.argv[1]);
const t1 = process.hrtime.bigint();
const c1 = cpu();
Promise.resolve(mod.main ? mod.main({ action: '__cold_start_probe__' }, {}) : null).then(() => {
  const t2 = process.hrtime.bigint();
  const c2 = cpu();
  process.stdout.write(JSON.stringify({ load: Number(t1 - t0) / 1e6, first: Number(t2 - t1) / 1e6, cpu: c2 - c0 }));
});
`;

const LAZY_PROBE = `
const path = require('path');
require(process.argv[1]);
const t0 = process.hrtime.bigint();
require(require.resolve(process.argv[2], { paths: [path.dirname(process.argv[1])] }));
process.stdout.write(JSON.stringify({ load: Number(process.hrtime.bigint() - t0) / 1e6, first: 0 }));
`;

function probeEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // node --test leaks this into children, which then wait for a parent that never answers
  delete env.NODE_TEST_CONTEXT;
  return {
    ...env,
    TCB_CONTEXT_CNFG: JSON.stringify({ URL: 'http://127.0.0.1:9/admin' }),
    TENCENTCLOUD_SECRETID: 'cold-start-probe',
    TENCENTCLOUD_SECRETKEY: 'cold-start-probe',
    TENCENTCLOUD: 'true',
    TCB_ENV: 'local-env',
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** One fresh process: load and first call of `target` (or the first require of `lazy` after it). */
function probeOnce(target: string, lazy?: string): { load: number; first: number; cpu?: number } {
  const args = lazy ? ['-e', LAZY_PROBE, target, lazy] : ['-e', PROBE, target];
  const r = spawnSync(process.execPath, args, { cwd: path.dirname(target), env: probeEnv(), encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`probe of ${target} failed: ${r.stderr || r.error}`);
  return JSON.parse(r.stdout) as { load: number; first: number; cpu?: number };
}

function probe(target: string, lazy?: string): { load: number; first: number } {
  const loads: number[] = [];
  const firsts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const m = probeOnce(target, lazy);
    loads.push(m.load);
    firsts.push(m.first);
  }
  return { load: median(loads), first: median(firsts) };
}

export interface CompareRow {
  name: string;
  beforeBytes: number;
  afterBytes: number;
  /** median cold start (load + first call) of each copy, ms */
  beforeMs: number;
  afterMs: number;
  /** median of the paired differences after − before, ms */
  diffMs: number;
  /** the same three for the CPU time the process used (load + first call), ms */
  beforeCpuMs: number;
  afterCpuMs: number;
  diffCpuMs: number;
}

/** Before/after, interleaved process by process (see the header). */
export function compareColdStarts(beforeRoot: string, afterRoot: string): CompareRow[] {
  const names = fs
    .readdirSync(beforeRoot)
    .filter((n) => fs.existsSync(path.join(beforeRoot, n, 'index.js')) && fs.existsSync(path.join(afterRoot, n, 'index.js')))
    .sort();
  return names.map((name) => {
    const b = path.join(beforeRoot, name, 'index.js');
    const a = path.join(afterRoot, name, 'index.js');
    const bs: number[] = [];
    const as: number[] = [];
    const bc: number[] = [];
    const ac: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const pair = i % 2 ? [a, b] : [b, a];
      const [first, second] = pair.map((t) => probeOnce(t));
      const [mb, ma] = i % 2 ? [second, first] : [first, second];
      bs.push(mb.load + mb.first);
      as.push(ma.load + ma.first);
      bc.push(mb.cpu ?? NaN);
      ac.push(ma.cpu ?? NaN);
    }
    return {
      name,
      beforeBytes: fs.statSync(b).size,
      afterBytes: fs.statSync(a).size,
      beforeMs: median(bs),
      afterMs: median(as),
      diffMs: median(as.map((x, i) => x - bs[i])),
      beforeCpuMs: median(bc),
      afterCpuMs: median(ac),
      diffCpuMs: median(ac.map((x, i) => x - bc[i])),
    };
  });
}

/** The packages the function's package.json declares besides wx-server-sdk (none when it has no package.json). */
function lazyDeps(dir: string): string[] {
  const file = path.join(dir, 'package.json');
  if (!fs.existsSync(file)) return [];
  const deps = (JSON.parse(fs.readFileSync(file, 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
  return Object.keys(deps).filter((d) => d !== 'wx-server-sdk').sort();
}

export function measureColdStarts(): { sdkMs: number; rows: ColdStartRow[] } {
  const names = fs
    .readdirSync(FN_ROOT)
    .filter((n) => fs.existsSync(path.join(FN_ROOT, n, 'index.js')))
    .sort();
  if (!names.length) throw new Error('no built functions: run npm run build:functions first');
  const sdk = probe(require.resolve('wx-server-sdk', { paths: [path.join(FN_ROOT, names[0])] }));
  const rows = names.map((name) => {
    const file = path.join(FN_ROOT, name, 'index.js');
    const m = probe(file);
    const lazyMs: Record<string, number> = {};
    for (const dep of lazyDeps(path.join(FN_ROOT, name))) lazyMs[dep] = probe(file, dep).load;
    return { name, bytes: fs.statSync(file).size, loadMs: m.load, firstCallMs: m.first, lazyMs };
  });
  return { sdkMs: sdk.load, rows };
}

if (require.main === module && process.argv.includes('--compare')) {
  const before = path.resolve(POSITIONAL[0] ?? '');
  const after = path.resolve(POSITIONAL[1] ?? path.join(ROOT, 'cloudfunctions'));
  if (!POSITIONAL[0]) throw new Error('--compare needs the folder of the earlier build');
  const rows = compareColdStarts(before, after);
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ runs: RUNS, node: process.version, rows }, null, 2));
  } else {
    console.log(`cold start before → after: ${RUNS} rounds of one fresh process each, interleaved, Node ${process.version}\n`);
    console.log('| function | bundle KB before → after | cold start ms before → after (paired difference) | CPU ms before → after (paired difference) |');
    console.log('|---|---:|---:|---:|');
    const ms = (x: number) => x.toFixed(0);
    for (const r of rows) {
      const kb = `${ms(r.beforeBytes / 1024)} → ${ms(r.afterBytes / 1024)}`;
      console.log(`| ${r.name} | ${kb} | ${ms(r.beforeMs)} → ${ms(r.afterMs)} (${ms(r.diffMs)}) | ${ms(r.beforeCpuMs)} → ${ms(r.afterCpuMs)} (${ms(r.diffCpuMs)}) |`);
    }
  }
} else if (require.main === module) {
  const { sdkMs, rows } = measureColdStarts();
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ runs: RUNS, node: process.version, sdkMs, rows }, null, 2));
  } else {
    console.log(`cold start per function: median of ${RUNS} fresh processes, Node ${process.version}`);
    console.log(`wx-server-sdk alone: ${sdkMs.toFixed(1)} ms to load\n`);
    console.log('| function | bundle KB | load ms | first call ms | cold start ms | loaded on first use (ms) |');
    console.log('|---|---:|---:|---:|---:|---|');
    for (const r of rows) {
      const lazy = Object.entries(r.lazyMs).map(([d, ms]) => `${d} ${ms.toFixed(0)}`).join(', ') || '—';
      console.log(`| ${r.name} | ${(r.bytes / 1024).toFixed(0)} | ${r.loadMs.toFixed(1)} | ${r.firstCallMs.toFixed(1)} | ${(r.loadMs + r.firstCallMs).toFixed(1)} | ${lazy} |`);
    }
  }
}
