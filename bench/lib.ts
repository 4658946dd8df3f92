/** Shared pieces of the benchmarks: a temp emulator over chosen function folders, a load driver, percentiles. */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type Emulator } from '../emulator/server';

export const ROOT = path.join(__dirname, '..');

export interface BenchEmulator {
  emu: Emulator;
  call: (fn: string, action: string | undefined, payload: unknown, openid: string) => Promise<CallOutcome>;
  close: () => Promise<void>;
}

export interface CallOutcome {
  status: number;
  body: any;
  /** DB operations the emulator counted for this call (x-db-ops header) */
  ops: { reads: number; writes: number; transactions: number; total: number } | null;
  ms: number;
}

/** Hosts the named function folders (symlinked into one temp folder) on a fresh data dir. */
export async function benchEmulator(
  functionDirs: Record<string, string>,
  opts: { seed: 'demo' | 'district' | 'none'; pool?: number },
): Promise<BenchEmulator> {
  const fnRoot = mkdtempSync(path.join(os.tmpdir(), 'pps-bench-fn-'));
  for (const [name, dir] of Object.entries(functionDirs)) symlinkSync(dir, path.join(fnRoot, name), 'dir');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pps-bench-data-'));
  const emu = await startEmulator({
    functionsDir: fnRoot,
    dataDir,
    port: 0,
    strict: true,
    testIdentityHeader: true,
    seed: opts.seed,
    triggers: false,
    pool: opts.pool,
    log: () => undefined,
  });
  const call = async (fn: string, action: string | undefined, payload: unknown, openid: string) => {
    const t0 = performance.now();
    const res = await fetch(`${emu.url}/api/functions/${fn}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
      body: JSON.stringify(action === undefined ? {} : { action, payload }),
    });
    const body = await res.json();
    const ops = JSON.parse(res.headers.get('x-db-ops') ?? 'null');
    return { status: res.status, body, ops, ms: performance.now() - t0 };
  };
  return {
    emu,
    call,
    close: async () => {
      await emu.close();
      rmSync(fnRoot, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export interface LoadResult {
  calls: number;
  errors: number;
  seconds: number;
  callsPerSecond: number;
  p50: number;
  p99: number;
}

/** Runs `total` calls with `concurrency` in flight; `make(i)` performs call i and says if it succeeded. */
export async function load(total: number, concurrency: number, make: (i: number) => Promise<boolean>): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const s = performance.now();
      const ok = await make(i).catch(() => false);
      latencies.push(performance.now() - s);
      if (!ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    calls: total,
    errors,
    seconds: round(seconds, 2),
    callsPerSecond: round(total / seconds, 0),
    p50: round(percentile(latencies, 50), 1),
    p99: round(percentile(latencies, 99), 1),
  };
}

export const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

export function writeResult(name: string, data: unknown): string {
  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return path.relative(ROOT, file);
}
