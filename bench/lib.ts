/** Shared pieces of the benchmarks: a temp emulator over chosen function folders, a load driver, percentiles. */
import { cpSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type Emulator } from '../scripts/local-cloud';
import { requiredSecretNames } from '../core/fn/secrets';
import { newLessonDoc } from '../core/study/stored';

export const ROOT = path.join(__dirname, '..');

export interface BenchEmulator {
  emu: Emulator;
  call: (fn: string, action: string | undefined, payload: unknown, openid: string) => Promise<CallOutcome>;
  close: () => Promise<void>;
  /** the emulator's `[index]` warnings of the run: a filtered query on a big collection with no declared index to serve it */
  indexWarnings: string[];
}

export interface CallOutcome {
  status: number;
  body: any;
  /** DB operations the emulator counted for this call (x-db-ops header) */
  ops: { reads: number; writes: number; transactions: number; total: number } | null;
  ms: number;
}

/**
 * Hosts the named function folders on a fresh data dir. The folders are copied (not linked) into a
 * temp folder inside the repository, so a run measures the code as built when it started even if
 * the functions are rebuilt meanwhile, and `require('wx-server-sdk')` still finds node_modules.
 */
export async function benchEmulator(
  functionDirs: Record<string, string>,
  opts: { seed: 'demo' | 'district' | 'none'; pool?: number },
): Promise<BenchEmulator> {
  const cache = path.join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const fnRoot = mkdtempSync(path.join(cache, 'pps-bench-fn-'));
  for (const [name, dir] of Object.entries(functionDirs)) cpSync(dir, path.join(fnRoot, name), { recursive: true, dereference: true });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pps-bench-data-'));
  const indexWarnings: string[] = [];
  const emu = await startEmulator({
    functionsDir: fnRoot,
    dataDir,
    port: 0,
    strict: true,
    testIdentityHeader: true,
    secrets: requiredSecretNames(),
    seed: opts.seed,
    triggers: false,
    pool: opts.pool,
    // the rest of the emulator's log is noise for a benchmark; its index warnings are findings
    log: (line: string) => {
      if (String(line).startsWith('[index]')) indexWarnings.push(String(line));
    },
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
    indexWarnings,
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

/** Results go to bench/results/ unless BENCH_OUT names another folder (smoke runs keep the figures intact). */
export function resultsDir(): string {
  return process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : path.join(ROOT, 'bench', 'results');
}

export function writeResult(name: string, data: unknown): string {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return path.relative(ROOT, file);
}

/** A reply that the router accepted: HTTP 200 and `{ ok: true }`. */
export const isOk = (r: CallOutcome) => r.status === 200 && r.body.result?.ok === true;

/** The synchronous slice of emulator/db/store.ts the benches use for fixtures. */
export interface BenchStore {
  find(coll: string, query?: object, opts?: { sort?: Record<string, 1 | -1>; limit?: number; skip?: number }): any[];
  findOne(coll: string, id: string): any | null;
  count(coll: string, query?: object): number;
  insertMany(coll: string, docs: object[]): unknown;
  put(coll: string, doc: object): void;
  update(coll: string, query: object, upd: object, opts?: { multi?: boolean }): unknown;
}

export const storeOf = (bench: BenchEmulator) => bench.emu.backend.store as unknown as BenchStore;

/**
 * The district seed binds about 70% of members to WeChat; a bench that needs more of them binds
 * the rest here, as if everyone had joined the mini-program (openid `dist-<memberId>`). Mutates the
 * given member objects' openid too. Returns how many were bound here.
 */
export function bindMembers(store: BenchStore, members: Array<{ _id: string; openid: string | null }>): number {
  let bound = 0;
  for (const m of members) {
    if (m.openid) continue;
    m.openid = `dist-${m._id}`;
    store.put('org_members', { ...store.findOne('org_members', m._id), openid: m.openid });
    store.put('org_bindings', { _id: m.openid, memberId: m._id, boundAt: new Date() });
    bound++;
  }
  return bound;
}

/** Today's quiz set answered the same simple way by every bench member. */
export function quizAnswers(set: { questions: Array<{ id: string; type: string }> }) {
  return set.questions.map((q) => ({ questionId: q.id, choice: q.type === 'multi' ? ['A', 'B'] : ['A'] }));
}

/** A live lesson running now (started a minute ago, three hours long), published to `orgId`'s subtree. */
export function liveLessonDoc(id: string, orgId: string, orgName: string, nowMs: number = Date.now()) {
  const lesson = newLessonDoc({
    kind: 'live', title: '全区党员直播课（压测）', speaker: '区委党校', minutes: 3 * 60, orgId, orgName, publishedAt: new Date(nowMs - 3600_000),
    startsAt: new Date(nowMs - 60_000), createdBy: 'bench', createdAt: new Date(nowMs),
  });
  return { _id: id, ...lesson };
}

/** The form a secretary sends to create an activity starting `startMin` minutes from now, two hours long. */
export function activityFields(startMin: number, title: string, nowMs: number = Date.now()) {
  return {
    type: 'theme_day',
    title,
    startAt: new Date(nowMs + startMin * 60_000).toISOString(),
    endAt: new Date(nowMs + (startMin + 120) * 60_000).toISOString(),
    place: { name: '党群服务中心' },
    studyMinutes: 90,
  };
}
