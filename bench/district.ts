/**
 * Full-district benchmark (`npm run bench`): the 南阳市宛城区 seed (25,000 members in 1,000
 * branches) on the emulator, then one morning in phases:
 *
 *   1. 每日答题: every member fetches today's set and submits it;
 *   2. 200 activities in 200 branches: the secretaries create, publish and show the QR code, every
 *      rostered member signs in with a valid rotating token, then half are closed by the secretary
 *      and half by the `finalise` timer;
 *   3. a 5,000-viewer livestream: each viewer opens the live lesson (its view hands out the start
 *      offer), starts it and sends a bounded number of checkpoints on the session's lease; then
 *      some leave (stop: the ledger write);
 *   4. the reports: organiser and secretaries' views (quiz, study, activity, points, org) and the
 *      members' own pages;
 *   5. every timer once, idle.
 *
 * Each phase runs the trivial function (bench/functions/noop) alongside at a low rate, so every
 * action's mean latency is compared with the trivial one measured under the same load. DB
 * operations per call come from the emulator's x-db-ops header. From the measured operations and
 * the daily usage model below, the run estimates the database reads and writes a district spends
 * per day and per month (docs/performance.md compares them with the CloudBase quotas).
 *
 * Writes bench/results/district.json and bench/results/district.md. Figures, never pass/fail.
 *
 *   npx tsx bench/district.ts                                  the whole morning (≈10 min on 2 cores)
 *   BENCH_MEMBERS=2000 BENCH_ACTIVITIES=20 BENCH_VIEWERS=500 BENCH_BEATS=2 npx tsx bench/district.ts
 * Other knobs: BENCH_CONCURRENCY (64 calls in flight), BENCH_POOL (4 warm instances per function),
 * BENCH_CHECKPOINT_SEC (the study function's checkpoint interval, 360), BENCH_STOPS (viewers who leave the
 * lesson explicitly, 1000), BENCH_REPORTS (calls per report view, one at a time, 10), BENCH_OUT (results folder).
 */
import path from 'node:path';
import { buildFunctions } from '../emulator/build-functions';
import { DISTRICT, districtData } from '../seed';
import { issueToken } from '../core/activity/token';
import { dayOf } from '../core/day';
import {
  activityFields,
  benchEmulator,
  bindMembers,
  isOk,
  liveLessonDoc,
  load,
  percentile,
  quizAnswers,
  resultsDir,
  round,
  storeOf,
  writeResult,
  ROOT,
  type CallOutcome,
} from './lib';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const MEMBERS = num('BENCH_MEMBERS', 25_000);
const ACTIVITIES = num('BENCH_ACTIVITIES', 200);
const VIEWERS = num('BENCH_VIEWERS', 5_000);
const BEATS = num('BENCH_BEATS', 3);
const CONCURRENCY = num('BENCH_CONCURRENCY', 64);
const POOL = num('BENCH_POOL', 4);
const CHECKPOINT_SEC = num('BENCH_CHECKPOINT_SEC', 360);
const STOPS = num('BENCH_STOPS', 1_000);
const REPORTS = num('BENCH_REPORTS', 10);
const LIVE_ID = 'l-district-live';
/** 5,000 viewers checkpointing every interval */
const NEEDED_BEATS_PER_SEC = 5000 / CHECKPOINT_SEC;

const FUNCTIONS = ['quiz', 'activity', 'study', 'points', 'org'] as const;

interface Row {
  phase: string;
  fn: string;
  action: string;
  as: string;
  ms: number[];
  reads: number[];
  writes: number[];
  tx: number[];
  total: number[];
  errors: number;
  firstError?: string;
}

/** Per-action figures, keyed by phase + fn.action + caller; the trivial function is one more row per phase. */
class Recorder {
  rows = new Map<string, Row>();
  /** phase → second since the epoch → database requests of the calls that ended in it */
  perSecond = new Map<string, Map<number, number>>();
  record(phase: string, fn: string, action: string, as: string, r: CallOutcome | null, ok: boolean) {
    if (r?.ops && phase !== 'timers') {
      const m = this.perSecond.get(phase) ?? new Map<number, number>();
      this.perSecond.set(phase, m);
      const sec = Math.floor(Date.now() / 1000);
      m.set(sec, (m.get(sec) ?? 0) + r.ops.total);
    }
    const key = `${phase}|${fn}.${action}|${as}`;
    let row = this.rows.get(key);
    if (!row) this.rows.set(key, (row = { phase, fn, action, as, ms: [], reads: [], writes: [], tx: [], total: [], errors: 0 }));
    if (r) {
      row.ms.push(r.ms);
      if (r.ops) {
        row.reads.push(r.ops.reads);
        row.writes.push(r.ops.writes);
        row.tx.push(r.ops.transactions);
        row.total.push(r.ops.total);
      }
    }
    if (!ok) {
      row.errors++;
      row.firstError ??= r ? `${r.status} ${JSON.stringify(r.body?.result?.error ?? r.body?.error ?? r.body).slice(0, 200)}` : 'no reply';
    }
  }
  /** Records a timer run (no caller, no trivial counterpart). */
  timer(fn: string, trigger: string, res: { ms: number; ops: { reads: number; writes: number; transactions: number; total: number } }) {
    this.record('timers', fn, `(timer) ${trigger}`, '定时器', { status: 200, body: {}, ms: res.ms, ops: res.ops }, true);
  }
}

/** A function's timer triggers as its config.json lists them. */
function configTriggers(fn: string): Array<{ name: string }> {
  return (JSON.parse(readFileSync(path.join(ROOT, 'cloudfunctions', fn, 'config.json'), 'utf8')) as { triggers?: Array<{ name: string }> }).triggers ?? [];
}

/** The activity function's timer trigger: `tick` (one dispatcher) or, in older trees, `finalise`. */
function activityTimerName(): string {
  const triggers = configTriggers('activity');
  return triggers.some((t) => t.name === 'tick') ? 'tick' : 'finalise';
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  process.env.STUDY_CHECKPOINT_SEC = String(CHECKPOINT_SEC);
  const t0 = Date.now();
  const fnRoot = path.join(ROOT, 'cloudfunctions');
  await buildFunctions(fnRoot);
  const dirs: Record<string, string> = { noop: path.join(ROOT, 'bench', 'functions', 'noop') };
  for (const f of FUNCTIONS) dirs[f] = path.join(fnRoot, f);
  const bench = await benchEmulator(dirs, { seed: 'district', pool: POOL });
  const seedSeconds = (Date.now() - t0) / 1000;
  const store = storeOf(bench);
  const rec = new Recorder();
  const phases: Record<string, { seconds: number; note?: string }> = {};
  const log = (s: string) => process.stdout.write(`[${round((Date.now() - t0) / 1000, 0)} s] ${s}\n`);

  /** One call, recorded; returns the outcome (a thrown fetch becomes a recorded error and null). */
  const call = async (phase: string, fn: string, action: string, as: string, payload: unknown, openid: string, accept?: (r: CallOutcome) => boolean) => {
    let r: CallOutcome | null;
    try {
      r = await bench.call(fn, action, payload, openid);
    } catch {
      r = null;
    }
    rec.record(phase, fn, action, as, r, !!r && (accept ? accept(r) : isOk(r)));
    return r;
  };

  /** Runs a phase with the trivial function probed alongside (a few calls in flight, paced). */
  const phase = async <T>(name: string, work: () => Promise<T>, probes = 2): Promise<T> => {
    let done = false;
    let k = 0;
    const probe = async () => {
      while (!done) {
        await call(name, 'noop', 'main', '任何人', {}, `probe-${k++}`);
        await sleep(25);
      }
    };
    const started = performance.now();
    const running = Array.from({ length: probes }, probe);
    try {
      return await work();
    } finally {
      done = true;
      await Promise.all(running);
      phases[name] = { ...phases[name], seconds: round((performance.now() - started) / 1000, 1) };
      log(`${name}: ${phases[name].seconds} s`);
    }
  };

  try {
    const data = districtData();
    const active = data.members.filter((m) => m.status === 'active');
    // Everyone joins the mini-program for the morning (the seed binds ~70%).
    const boundHere = bindMembers(store, active);
    const branches = data.nodes.filter((n) => n.type === 'branch');
    const byBranch = new Map<string, typeof active>();
    for (const m of active) byBranch.set(m.branchId, [...(byBranch.get(m.branchId) ?? []), m]);
    const secretaryOf = (branchId: string) => `dist-${branchId}-01`;
    log(`seeded ${active.length} members in ${branches.length} branches (${boundHere} bound for the run)`);

    // Warm every instance of every function before measuring.
    await load(200, CONCURRENCY, async () => isOk(await bench.call('noop', undefined, {}, 'warm')));
    await load(40, 8, async (i) => isOk(await bench.call('quiz', 'today', {}, active[active.length - 1 - (i % 8)].openid!)));
    for (const f of ['activity', 'study', 'points', 'org']) {
      await load(16, 8, async (i) => (await bench.call(f, f === 'org' ? 'me' : f === 'points' ? 'rules' : f === 'study' ? 'lessons' : 'list', {}, active[i].openid!)).status === 200);
    }

    // ---- 1. 每日答题: today's set, then the answers, every member
    const quizMembers = active.slice(0, MEMBERS);
    const sameSet = new Set<string>();
    await phase('1 每日答题', async () => {
      await load(quizMembers.length, CONCURRENCY, async (i) => {
        const m = quizMembers[i];
        const t = await call('1 每日答题', 'quiz', 'today', '党员', {}, m.openid!);
        if (!t || !isOk(t)) return false;
        const set = t.body.result.data;
        sameSet.add(set.questions.map((q: { id: string }) => q.id).join());
        const s = await call('1 每日答题', 'quiz', 'submit', '党员', { day: set.day, answers: quizAnswers(set) }, m.openid!, (r) => isOk(r) && r.body.result.data.duplicate === false);
        return !!s && isOk(s);
      });
    }, 4);
    // counted here, not by a filtered query: the run's index warnings are to be the product's queries only
    const quizRecords = store.find('points_ledger').filter((d) => d.source?.type === 'quiz').length;

    // ---- 2. 200 activities' sign-ins
    const step = Math.max(1, Math.floor(branches.length / ACTIVITIES));
    const hosts = Array.from({ length: Math.min(ACTIVITIES, branches.length) }, (_x, k) => branches[(k * step + 1) % branches.length]._id);
    const acts: Array<{ id: string; branchId: string; roster: string[] }> = [];
    const P2 = '2 活动签到';
    let signInRecords = 0;
    let closed = 0;
    await phase(P2, async () => {
      // the secretaries: create, publish, show the QR code (as the QR screen would, once)
      await load(hosts.length, 16, async (k) => {
        const b = hosts[k];
        const sec = secretaryOf(b);
        const saved = await call(P2, 'activity', 'save', '支部书记', { fields: activityFields(10, `主题党日（压测 ${k + 1}）`), requestId: `bench-district-${k}` }, sec);
        if (!saved || !isOk(saved)) return false;
        const id = saved.body.result.data.id as string;
        const pub = await call(P2, 'activity', 'publish', '支部书记', { id }, sec);
        if (!pub || !isOk(pub)) return false;
        // the QR screen: the roster once as it opens, then the tokens (a minute of them per call)
        await call(P2, 'activity', 'roster', '支部书记', { id }, sec);
        await call(P2, 'activity', 'qrToken', '支部书记', { id }, sec);
        acts.push({ id, branchId: b, roster: (byBranch.get(b) ?? []).map((m) => m.openid!) });
        return true;
      });
      // every rostered member scans: activities interleaved, as 200 meetings start at once
      const jobs: Array<[number, number]> = [];
      const most = Math.max(...acts.map((a) => a.roster.length));
      for (let j = 0; j < most; j++) acts.forEach((a, k) => j < a.roster.length && jobs.push([k, j]));
      const secret = bench.emu.secrets.ACTIVITY_QR_SECRET;
      await load(jobs.length, CONCURRENCY, async (i) => {
        const [k, j] = jobs[i];
        const a = acts[k];
        const token = issueToken(secret, a.id, Date.now()).token;
        const r = await call(P2, 'activity', 'signIn', '党员', { token }, a.roster[j], (x) => isOk(x) && x.body.result.data.duplicate === false);
        return !!r && isOk(r);
      });
      signInRecords = store.count('activity_attendance', { activityId: { $in: acts.map((a) => a.id) }, status: 'present' });
      // the meetings have begun: neither the secretary nor the timer may close one before its start
      store.update('activity_items', { _id: { $in: acts.map((a) => a.id) } }, { $set: { startAt: new Date(Date.now() - 60_000) } }, { multi: true });
      // half are closed by their secretary (absences, points, 学时 at once) …
      const byHand = acts.filter((_a, k) => k % 2 === 0);
      await load(byHand.length, 8, async (k) => {
        const r = await call(P2, 'activity', 'closeSignIn', '支部书记', { id: byHand[k].id }, secretaryOf(byHand[k].branchId));
        return !!r && isOk(r);
      });
      // … the rest by the `finalise` timer once their window has passed (moved into the past here)
      const rest = acts.filter((_a, k) => k % 2 === 1).map((a) => a.id);
      store.update('activity_items', { _id: { $in: rest } }, { $set: { signInCloseAt: new Date(Date.now() - 60_000) } }, { multi: true });
      for (let run = 0; run < 50; run++) {
        // the function's one timer: `tick` runs finalise (and its other jobs) every minute
        const trigger = activityTimerName();
        const r = await bench.emu.fireTrigger('activity', trigger);
        rec.timer('activity', 'finalise', r);
        const res = r.result as { jobs?: { finalise?: { finalised: number; awarded: number } }; finalised?: number; awarded?: number };
        const out = res?.jobs?.finalise ?? { finalised: res?.finalised ?? 0, awarded: res?.awarded ?? 0 };
        if (!out.finalised && !out.awarded) break;
      }
      closed = store.count('activity_items', { _id: { $in: acts.map((a) => a.id) }, finalisedAt: { $ne: null } });
    });
    phases[P2].note = `${acts.length} activities, ${signInRecords} sign-in records, ${closed} finalised`;

    // ---- 3. the livestream
    const P3 = '3 直播学习';
    store.insertMany('study_lessons', [liveLessonDoc(LIVE_ID, DISTRICT.districtId, '南阳市宛城区委')]);
    const viewers = active.slice(-Math.min(VIEWERS, active.length));
    const sessions = new Array<string>(viewers.length);
    const lastBeat = new Array<number>(viewers.length).fill(0);
    const offers = new Array<string | null>(viewers.length).fill(null);
    const leases = new Array<string>(viewers.length);
    const minGapMs = Math.min(10, CHECKPOINT_SEC / 3) * 1000 + 200;
    let beatSeconds = 0;
    let beatsSent = 0;
    let creditedBeats = 0;
    let creditedSec = 0;
    await phase(P3, async () => {
      await load(viewers.length, CONCURRENCY, async (i) => {
        const v = await call(P3, 'study', 'lesson', '党员', { lessonId: LIVE_ID }, viewers[i].openid!);
        if (!v || !isOk(v)) return false;
        offers[i] = v.body.result.data.startOffer;
        const r = await call(P3, 'study', 'start', '党员', { lessonId: LIVE_ID, offer: offers[i] ?? undefined }, viewers[i].openid!);
        if (!r || !isOk(r)) return false;
        sessions[i] = r.body.result.data.sessionId;
        leases[i] = r.body.result.data.lease;
        lastBeat[i] = Date.now();
        return true;
      });
      // BEATS rounds over all viewers, as fast as the functions take them; a viewer never beats
      // sooner than the function's minimum gap (⅓ of the interval), as a real client would not
      const started = performance.now();
      const total = viewers.length * BEATS;
      await load(total, CONCURRENCY, async (j) => {
        const i = j % viewers.length;
        if (!sessions[i]) return false;
        const wait = lastBeat[i] + minGapMs - Date.now();
        if (wait > 0) await sleep(wait);
        const played = (Date.now() - lastBeat[i]) / 1000;
        const r = await call(P3, 'study', 'checkpoint', '党员', { lease: leases[i], played, position: 0 }, viewers[i].openid!);
        lastBeat[i] = Date.now();
        beatsSent++;
        if (!r || !isOk(r)) return false;
        leases[i] = r.body.result.data.lease;
        const c = r.body.result.data.creditedSec as number;
        creditedSec += c;
        if (c > 0) creditedBeats++;
        return true;
      });
      beatSeconds = (performance.now() - started) / 1000;
      const leaving = viewers.slice(0, Math.min(STOPS, viewers.length));
      await load(leaving.length, CONCURRENCY, async (i) => {
        const r = await call(P3, 'study', 'stop', '党员', { sessionId: sessions[i], lease: leases[i], played: 1, position: 0 }, leaving[i].openid!);
        return !!r && isOk(r);
      });
    });
    const beatsPerSecond = beatsSent / Math.max(beatSeconds, 0.001);
    const gapLimit = viewers.length / (minGapMs / 1000);
    phases[P3].note =
      `${viewers.length} viewers × ${BEATS} checkpoints in ${round(beatSeconds, 1)} s: ${round(beatsPerSecond, 0)} checkpoints/s sustained ` +
      `(5,000 viewers at one checkpoint per ${CHECKPOINT_SEC} s need ${round(NEEDED_BEATS_PER_SEC, 0)}/s` +
      `${beatsPerSecond >= gapLimit * 0.9 ? `; capped by the clients' minimum gap at ${round(gapLimit, 0)}/s` : ''}); ${creditedBeats} checkpoints credited time`;

    // ---- 4. the reports
    const P4 = '4 报表查看';
    const org = DISTRICT.organiserOpenid;
    const today = dayOf(Date.now());
    const yearStart = `${today.slice(0, 4)}-01-01`;
    const reportBranches = acts.length ? acts.map((a) => a.branchId) : hosts;
    const pick = (i: number) => reportBranches[i % reportBranches.length];
    const sample = (i: number) => active[(i * 997) % active.length];
    type View = [fn: string, action: string, as: string, payload: (i: number) => unknown, openid: (i: number) => string];
    const views: View[] = [
      ['quiz', 'rankBranches', '组织管理员', () => ({ level: 'street' }), () => org],
      ['quiz', 'rankBranches', '组织管理员', () => ({ level: 'community' }), () => org],
      ['quiz', 'branchToday', '组织管理员', (i) => ({ branchId: pick(i) }), () => org],
      ['study', 'orgRates', '组织管理员', () => ({}), () => org],
      ['study', 'branchTable', '组织管理员', (i) => ({ branchId: pick(i) }), () => org],
      ['activity', 'rates', '组织管理员', (i) => ({ from: yearStart, to: today, branchId: pick(i) }), () => org],
      ['activity', 'exportLedger', '组织管理员', (i) => ({ from: yearStart, to: today, branchId: pick(i) }), () => org],
      ['quiz', 'branchToday', '支部书记', () => ({}), (i) => secretaryOf(pick(i))],
      ['study', 'branchTable', '支部书记', () => ({}), (i) => secretaryOf(pick(i))],
      ['activity', 'rates', '支部书记', () => ({ from: yearStart, to: today }), (i) => secretaryOf(pick(i))],
      ['activity', 'exportLedger', '支部书记', () => ({ from: yearStart, to: today }), (i) => secretaryOf(pick(i))],
      ['org', 'listMembers', '支部书记', () => ({ limit: 50 }), (i) => secretaryOf(pick(i))],
      ['org', 'listApplications', '支部书记', () => ({ status: 'pending' }), (i) => secretaryOf(pick(i))],
      ['activity', 'cadence', '支部书记', () => ({}), (i) => secretaryOf(pick(i))],
      ['org', 'me', '党员', () => ({}), (i) => sample(i).openid!],
      ['quiz', 'rankMembers', '党员', () => ({}), (i) => sample(i).openid!],
      ['points', 'history', '党员', () => ({}), (i) => sample(i).openid!],
      ['study', 'progress', '党员', () => ({}), (i) => sample(i).openid!],
      ['activity', 'list', '党员', () => ({}), (i) => byBranch.get(pick(i))![3].openid!],
    ];
    await phase(P4, async () => {
      for (const [fn, action, as, payload, who] of views) {
        // one at a time: a view's latency on its own, not queued behind another heavy view
        await load(REPORTS, 1, async (i) => {
          const r = await call(P4, fn, action, as, payload(i), who(i));
          return !!r && isOk(r);
        });
      }
    }, 1);

    // ---- 5. the timers, idle (nothing due): what they cost every minute of every day
    // each function's timer triggers as its config.json names them (one `tick` dispatcher, or several)
    for (const fn of ['activity', 'study'] as const) {
      const triggers = configTriggers(fn);
      for (const t of triggers) rec.timer(fn, `${t.name} idle`, await bench.emu.fireTrigger(fn, t.name));
    }

    // ---- figures
    const trivialMean = new Map<string, number>();
    for (const r of rec.rows.values()) if (r.fn === 'noop') trivialMean.set(r.phase, mean(r.ms));
    const rows = [...rec.rows.values()].map((r) => {
      const ms = sorted(r.ms);
      const trivial = trivialMean.get(r.phase);
      return {
        phase: r.phase,
        action: r.fn === 'noop' ? 'noop (trivial)' : `${r.fn}.${r.action}`,
        as: r.as,
        calls: r.ms.length,
        reads: round(mean(r.reads), 2),
        writes: round(mean(r.writes), 2),
        tx: round(mean(r.tx), 2),
        ops: round(mean(r.total), 2),
        opsMin: r.total.length ? Math.min(...r.total) : NaN,
        opsMax: r.total.length ? Math.max(...r.total) : NaN,
        meanMs: round(mean(ms), 1),
        p50: round(percentile(ms, 50), 1),
        p99: round(percentile(ms, 99), 1),
        errors: r.errors,
        ...(r.firstError ? { firstError: r.firstError } : {}),
        vsTrivial: trivial && r.phase !== 'timers' ? round(mean(ms) / trivial, 1) : null,
      };
    });
    const estimate = dailyEstimate(rows, { closedByHand: Math.ceil(acts.length / 2), activities: acts.length });
    const peaks = peakRates(rows, rec);
    const before = previousEstimate();

    const result = {
      measuredAt: new Date().toISOString(),
      node: process.version,
      config: {
        members: active.length,
        branches: branches.length,
        quizMembers: quizMembers.length,
        activities: acts.length,
        viewers: viewers.length,
        beatsPerViewer: BEATS,
        checkpointEverySec: CHECKPOINT_SEC,
        concurrency: CONCURRENCY,
        pool: POOL,
        stops: Math.min(STOPS, viewers.length),
        reportCalls: REPORTS,
      },
      seedSeconds: round(seedSeconds, 1),
      boundForTheRun: boundHere,
      phases,
      quiz: { answerRecords: quizRecords, sameSetForAll: sameSet.size === 1 },
      activities: { count: acts.length, signInRecords, finalised: closed },
      livestream: {
        viewers: viewers.length,
        beats: beatsSent,
        seconds: round(beatSeconds, 1),
        beatsPerSecond: round(beatsPerSecond, 1),
        neededFor5000At30s: round(NEEDED_BEATS_PER_SEC, 1),
        creditedBeats,
        creditedSecondsPerViewer: round(creditedSec / Math.max(1, viewers.length), 1),
      },
      rows,
      estimate,
      peaks,
      before,
      indexWarnings: bench.indexWarnings,
      totalSeconds: round((Date.now() - t0) / 1000, 0),
    };
    const file = writeResult('district', result);
    const md = renderMarkdown(result);
    mkdirSync(resultsDir(), { recursive: true });
    const mdFile = path.join(resultsDir(), 'district.md');
    writeFileSync(mdFile, md);
    process.stdout.write('\n' + md + '\n');
    log(`wrote ${file} and ${path.relative(ROOT, mdFile)}`);
  } finally {
    await bench.close();
  }
}

type ResultRow = {
  phase: string;
  action: string;
  as: string;
  calls: number;
  reads: number;
  writes: number;
  tx: number;
  ops: number;
  opsMin: number;
  opsMax: number;
  meanMs: number;
  p50: number;
  p99: number;
  errors: number;
  vsTrivial: number | null;
};

/**
 * The daily usage model of one district, priced with the measured operations per call. Every
 * assumption is here, in one place, and printed with the result.
 */
export const USAGE_MODEL = {
  members: 25_000,
  branches: 1_000,
  organisers: 111, // 1 district + 10 streets + 100 communities
  appOpensPerMember: 1, // org.me on the home page
  quizShare: 1, // every member answers every day (the upper bound)
  studyShare: 0.2, // one member in five studies online or live on a given day …
  studyMinutes: 30, // … for half an hour: the lesson page, start, a checkpoint every interval, stop
  extraCheckpointsPerStudent: 1, // one pause or hide during the half hour (each sends a checkpoint)
  progressViewsPerStudent: 1,
  pointsHistoryShare: 0.1,
  rankViewsShare: 0.1,
  activitiesPerDay: 100, // ≈ 3 per branch per month (主题党日, 支部党员大会, 党课)
  rosterPerActivity: 25,
  qrCallsPerActivity: 30, // the QR screen asks once a minute (five 15 s tokens and the count) for a 30-min window
  qrScreenOpensPerActivity: 1, // its roster call as the screen opens
  activityListViewsPerRostered: 2,
  secretaryViewsPerDay: 3, // each of quiz branchToday, study branchTable, activity rates, once
  secretaryHomeShowsPerDay: 2, // the home page's 待审核入支部申请 and 三会一课 cards, each time it is shown
  organiserViewsPerDay: 6, // rankBranches ×2, orgRates, branchTable, branchToday, activity rates
  exportsPerDay: 10,
  timerTicksPerDay: 1440, // each function's one timer, every minute
  /** the bursts: the whole district answers the quiz within half an hour; viewers join a livestream within ten minutes */
  quizBurstMinutes: 30,
  liveJoinMinutes: 10,
  liveViewers: 5_000,
};

function dailyEstimate(rows: ResultRow[], run: { closedByHand: number; activities: number }) {
  const M = USAGE_MODEL;
  const find = (action: string, as?: string, phase?: string) => rows.find((r) => r.action === action && (!as || r.as === as) && (!phase || r.phase.startsWith(phase)));
  const lines: Array<{ what: string; calls: number; per: string; reads: number; writes: number }> = [];
  const add = (what: string, calls: number, action: string, as?: string, phase?: string) => {
    const r = find(action, as, phase);
    if (!r || !Number.isFinite(r.reads)) return;
    // transaction start/commit are counted with the writes: the cautious reading of the quota
    lines.push({ what, calls: Math.round(calls), per: `${action}（${r.as}）`, reads: Math.round(calls * r.reads), writes: Math.round(calls * (r.writes + r.tx)) });
  };
  const students = M.members * M.studyShare;
  // periodic checkpoints before the end (the end itself is the stop), plus the pauses and hides
  const checkpointsPerStudent = Math.ceil((M.studyMinutes * 60) / CHECKPOINT_SEC) - 1 + M.extraCheckpointsPerStudent;
  const rostered = M.activitiesPerDay * M.rosterPerActivity;
  add('打开小程序（首页 org.me）', M.members * M.appOpensPerMember, 'org.me');
  add('每日答题：取题', M.members * M.quizShare, 'quiz.today');
  add('每日答题：交卷', M.members * M.quizShare, 'quiz.submit');
  add('学习：打开课程页（发放开始凭证）', students, 'study.lesson');
  add('学习：开始', students, 'study.start');
  add(`学习：检查点（每 ${CHECKPOINT_SEC / 60} 分钟 + 暂停/切后台 ${M.extraCheckpointsPerStudent} 次）`, students * checkpointsPerStudent, 'study.checkpoint');
  add('学习：结束并记入学时', students, 'study.stop');
  add('学习：查看我的学时', students * M.progressViewsPerStudent, 'study.progress');
  add('积分：红色手账', M.members * M.pointsHistoryShare, 'points.history');
  add('答题：支部排行', M.members * M.rankViewsShare, 'quiz.rankMembers');
  add('活动：书记创建', M.activitiesPerDay, 'activity.save');
  add('活动：书记发布', M.activitiesPerDay, 'activity.publish');
  add('活动：签到码页打开（名单）', M.activitiesPerDay * M.qrScreenOpensPerActivity, 'activity.roster', '支部书记', '2');
  add('活动：签到码（每分钟一次，含签到人数）', M.activitiesPerDay * M.qrCallsPerActivity, 'activity.qrToken');
  add('活动：党员查看通知', rostered * M.activityListViewsPerRostered, 'activity.list');
  add('活动：扫码签到', rostered, 'activity.signIn');
  add('活动：书记结束签到（半数）', M.activitiesPerDay / 2, 'activity.closeSignIn');
  // the timer's loaded runs in the bench finalised the other half: price them per activity
  const fin = find('activity.(timer) finalise', '定时器', 'timers');
  if (fin && run.activities - run.closedByHand > 0) {
    const perAct = (fin.calls * (fin.reads + fin.writes + fin.tx)) / (run.activities - run.closedByHand);
    const readsPer = (fin.calls * fin.reads) / (run.activities - run.closedByHand);
    const calls = M.activitiesPerDay / 2;
    lines.push({
      what: '活动：定时器结束签到（半数）',
      calls,
      per: 'activity finalise 定时器（每场）',
      reads: Math.round(calls * readsPer),
      writes: Math.round(calls * (perAct - readsPer)),
    });
  }
  add('书记：首页待审核申请', M.branches * M.secretaryHomeShowsPerDay, 'org.listApplications', '支部书记');
  add('书记：首页三会一课（已开/应开、待补记录）', M.branches * M.secretaryHomeShowsPerDay, 'activity.cadence', '支部书记');
  add('书记：答题情况', M.branches, 'quiz.branchToday', '支部书记');
  add('书记：学时表', M.branches, 'study.branchTable', '支部书记');
  add('书记：出勤率', M.branches, 'activity.rates', '支部书记');
  add('台账导出', M.exportsPerDay, 'activity.exportLedger', '支部书记');
  add('管理员：街道排行', M.organisers, 'quiz.rankBranches', '组织管理员');
  add('管理员：学时完成率', M.organisers, 'study.orgRates', '组织管理员');
  add('管理员：支部学时表', M.organisers, 'study.branchTable', '组织管理员');
  add('管理员：支部答题', M.organisers, 'quiz.branchToday', '组织管理员');
  add('管理员：支部出勤率', M.organisers, 'activity.rates', '组织管理员');
  for (const r of rows.filter((x) => x.phase === 'timers' && x.action.endsWith(' idle'))) {
    add(`定时器 ${r.action}（空闲，每分钟）`, M.timerTicksPerDay, r.action);
  }
  const reads = lines.reduce((s, l) => s + l.reads, 0);
  const writes = lines.reduce((s, l) => s + l.writes, 0);
  return { model: M, lines, perDay: { reads, writes }, perMonth: { reads: reads * 30, writes: writes * 30 } };
}

/**
 * Database requests per second at the district's two peaks, from the usage model and the measured
 * operations per call (what CloudBase would see), and the highest per-second rate the emulator
 * reached in each phase of this run (bounded by this machine, not by the plan).
 */
/**
 * How long one database request holds a connection on CloudBase, for turning requests per second
 * into concurrent connections (Little's law). An assumption, not a measurement: in-region requests
 * of a few ms to tens of ms; the emulator's own latencies say nothing about CloudBase's.
 */
const DB_REQUEST_MS = 30;

function peakRates(rows: ResultRow[], rec: Recorder) {
  const M = USAGE_MODEL;
  const ops = (action: string, as?: string) => rows.find((r) => r.action === action && (!as || r.as === as))?.ops ?? 0;
  const quizPerMember = ops('org.me') + ops('quiz.today') + ops('quiz.submit');
  const joinPerViewer = ops('study.lesson') + ops('study.start');
  const observed: Record<string, number> = {};
  for (const [phase, m] of rec.perSecond) observed[phase] = Math.max(0, ...m.values());
  const conns = (perSecond: number) => round((perSecond * DB_REQUEST_MS) / 1000, 1);
  const quizPerSecond = round((M.members * quizPerMember) / (M.quizBurstMinutes * 60), 0);
  const joinPerSecond = round((M.liveViewers * joinPerViewer) / (M.liveJoinMinutes * 60), 0);
  return {
    dbRequestMsAssumed: DB_REQUEST_MS,
    connectionsAtPeak: { quizBurst: conns(quizPerSecond), liveJoin: conns(joinPerSecond) },
    quizBurst: { perSecond: quizPerSecond, opsPerMember: round(quizPerMember, 2), minutes: M.quizBurstMinutes },
    liveJoin: { perSecond: joinPerSecond, opsPerViewer: round(joinPerViewer, 2), minutes: M.liveJoinMinutes },
    liveSteady: { perSecond: round((M.liveViewers / CHECKPOINT_SEC) * ops('study.checkpoint'), 1), everySec: CHECKPOINT_SEC },
    observedOnEmulator: observed,
  };
}

/** The estimate of the run this one replaces (bench/results/district.json as it was), for before → after. */
function previousEstimate(): { measuredAt: string; perDay: { reads: number; writes: number }; lines: Array<{ what: string; reads: number; writes: number }> } | null {
  try {
    const prev = JSON.parse(readFileSync(path.join(resultsDir(), 'district.json'), 'utf8'));
    return prev?.estimate ? { measuredAt: prev.measuredAt, perDay: prev.estimate.perDay, lines: prev.estimate.lines } : null;
  } catch {
    return null;
  }
}

/** The day the district should fit: 基础版 2's read quota, and writes to match. */
const TARGET_DAY = { reads: 250_000, writes: 150_000 };

/** The CloudBase prepaid plans' database quotas per environment (docs/performance.md gives the sources). */
export const PLANS = [
  { name: '基础版 1', readsPerDay: 50_000, connections: 20 },
  { name: '基础版 2', readsPerDay: 250_000, connections: 50 },
  { name: '专业版 1', readsPerDay: 500_000, connections: 100 },
  { name: '专业版 2', readsPerDay: 1_500_000, connections: 200 },
  { name: '专业版 3', readsPerDay: 3_000_000, connections: 300 },
];

function renderMarkdown(r: any): string {
  const out: string[] = [];
  const c = r.config;
  out.push(`### 全区压测（${c.members.toLocaleString('en')} 名党员，${c.branches} 个支部）`);
  out.push('');
  out.push(`本地模拟器，${c.pool} 个函数实例/函数，${c.concurrency} 个并发请求；测于 ${r.measuredAt.slice(0, 10)}，Node ${r.node}，总用时 ${r.totalSeconds} s。`);
  out.push(`每个阶段都同时以低频调用空函数（noop），“× 空函数”= 该操作平均耗时 ÷ 同阶段空函数平均耗时。DB 读/写/合计为每次调用的平均数据库请求数（x-db-ops）。`);
  out.push('');
  out.push('| 阶段 | 操作 | 调用者 | 调用次数 | 读/次 | 写/次 | 合计/次 | p50 ms | p99 ms | 错误 | × 空函数 |');
  out.push('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const x of r.rows as ResultRow[]) {
    const ops = x.opsMin === x.opsMax ? `${x.ops}` : `${x.ops}（${x.opsMin}–${x.opsMax}）`;
    const w = x.tx ? `${x.writes} +${x.tx} 事务` : `${x.writes}`;
    out.push(`| ${x.phase} | ${x.action} | ${x.as} | ${x.calls} | ${x.reads} | ${w} | ${ops} | ${x.p50} | ${x.p99} | ${x.errors} | ${x.vsTrivial ?? '—'} |`);
  }
  out.push('');
  for (const [name, p] of Object.entries(r.phases as Record<string, { seconds: number; note?: string }>)) out.push(`- ${name}：${p.seconds} s${p.note ? `；${p.note}` : ''}`);
  out.push(`- 答题记录 ${r.quiz.answerRecords} 条，所有人同一套题：${r.quiz.sameSetForAll ? '是' : '否'}`);
  out.push('');
  out.push('| 日常使用（模型） | 调用/天 | 按 | 读/天 | 写/天 |');
  out.push('|---|---:|---|---:|---:|');
  for (const l of r.estimate.lines) out.push(`| ${l.what} | ${l.calls.toLocaleString('en')} | ${l.per} | ${l.reads.toLocaleString('en')} | ${l.writes.toLocaleString('en')} |`);
  out.push('');
  const { perDay, perMonth } = r.estimate;
  out.push(
    `按使用模型估算（见 docs/performance.md）：每天约 **${perDay.reads.toLocaleString('en')} 次读、${perDay.writes.toLocaleString('en')} 次写**，` +
      `每月（30 天）约 ${perMonth.reads.toLocaleString('en')} 次读、${perMonth.writes.toLocaleString('en')} 次写。`,
  );
  if (r.before) {
    out.push(
      `上一次测量（${String(r.before.measuredAt).slice(0, 10)}）：每天约 ${r.before.perDay.reads.toLocaleString('en')} 次读、${r.before.perDay.writes.toLocaleString('en')} 次写 → ` +
        `本次 ${perDay.reads.toLocaleString('en')} / ${perDay.writes.toLocaleString('en')}。`,
    );
  }
  const plan = PLANS.find((p) => p.readsPerDay >= perDay.reads);
  out.push(`按读操作数，一天可容纳于 **${plan ? plan.name : '专业版 3 以上'}**（每天 ${plan ? plan.readsPerDay.toLocaleString('en') : '—'} 次读；各套餐写操作配额未查到公开来源）。`);
  out.push(
    `目标（基础版 2 的读配额）：每天 ≤ ${TARGET_DAY.reads.toLocaleString('en')} 次读、≤ ${TARGET_DAY.writes.toLocaleString('en')} 次写 —— ` +
      `读 ${perDay.reads <= TARGET_DAY.reads ? '达到' : '未达到'}，写 ${perDay.writes <= TARGET_DAY.writes ? '达到' : '未达到'}。`,
  );
  const pk = r.peaks;
  out.push(
    `高峰（模型 × 实测每次请求数）：答题高峰 ${pk.quizBurst.perSecond} 次数据库请求/秒（${pk.quizBurst.minutes} 分钟内全区答题，每人 ${pk.quizBurst.opsPerMember} 次）；` +
      `直播进场 ${pk.liveJoin.perSecond} 次/秒（${pk.liveJoin.minutes} 分钟内 5,000 人进入，每人 ${pk.liveJoin.opsPerViewer} 次）；直播中 ${pk.liveSteady.perSecond} 次/秒（每 ${pk.liveSteady.everySec} 秒一个检查点）。`,
  );
  out.push(
    `折合同时连接数（按每次数据库请求占用约 ${pk.dbRequestMsAssumed} ms 估算）：答题高峰约 ${pk.connectionsAtPeak.quizBurst}，直播进场约 ${pk.connectionsAtPeak.liveJoin}；` +
      `套餐同时连接数 ${PLANS.map((p) => `${p.name} ${p.connections}`).join('、')}。`,
  );
  out.push(`模拟器本机实测每秒最多数据库请求：${Object.entries(pk.observedOnEmulator as Record<string, number>).map(([k, v]) => `${k} ${v}`).join('，')}。`);
  const warnings = (r.indexWarnings ?? []) as string[];
  out.push(`模拟器索引提示（集合超过 5,000 条、查询无已声明索引支持）：${warnings.length ? '' : '无。'}`);
  for (const w of warnings) out.push(`- \`${w}\``);
  out.push('');
  return out.join('\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
