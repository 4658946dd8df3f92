/**
 * Study benchmark (`npx tsx bench/study.ts`): a district livestream with every member sending
 * checkpoints on their session's lease, and the DB operations per checkpoint, per start (with the
 * lesson view's offer), per progress view, per branch table and per stop, counted by the emulator
 * (x-db-ops). Writes bench/results/study.json. Figures, never pass/fail.
 *
 * The load is a *rate*: the demo district's members checkpointing every 2 s stands for many more
 * members at the real interval (5,000 members at one checkpoint per 6 minutes are ≈ 14/s). Env vars:
 *   STUDY_BENCH_SEED=demo|district   (district: 25,000 members; seeding takes a minute)
 *   STUDY_BENCH_MEMBERS=5000         members in the livestream (default: every bound demo member)
 *   STUDY_BENCH_BEAT_SEC=30          checkpoint interval (default 2)
 *   STUDY_BENCH_SECONDS=60           how long the livestream runs (default 30)
 *   STUDY_BENCH_POOL=4               warm instances of the function
 */
import path from 'node:path';
import { buildFunctions } from '../emulator/build-functions';
import { DEMO } from '../seed';
import { benchEmulator, liveLessonDoc, percentile, round, writeResult, ROOT } from './lib';

const SEED = (process.env.STUDY_BENCH_SEED ?? 'demo') as 'demo' | 'district';
const BEAT_SEC = Number(process.env.STUDY_BENCH_BEAT_SEC ?? 2);
const SECONDS = Number(process.env.STUDY_BENCH_SECONDS ?? 30);
const MEMBERS = Number(process.env.STUDY_BENCH_MEMBERS ?? 5000);
const POOL = Number(process.env.STUDY_BENCH_POOL ?? 4);
const LIVE_ID = 'l-bench-live';

async function main() {
  process.env.STUDY_CHECKPOINT_SEC = String(BEAT_SEC);
  await buildFunctions(path.join(ROOT, 'cloudfunctions'));
  const bench = await benchEmulator({ study: path.join(ROOT, 'cloudfunctions', 'study') }, { seed: SEED, pool: POOL });
  const store = bench.emu.backend.store as any;
  try {
    const root = SEED === 'demo' ? DEMO.districtId : 'w1';
    const now = Date.now();
    await store.insertMany('study_lessons', [liveLessonDoc(LIVE_ID, root, '区委', now)]);
    const members = (await store.find('org_members', { status: 'active', openid: { $ne: null } }, { sort: { _id: 1 }, limit: MEMBERS })) as Array<{ _id: string; openid: string }>;
    const n = members.length;

    // everyone joins: start once each
    const sessions = new Array<string>(n);
    const leases = new Array<string>(n);
    const lastAt = new Array<number>(n).fill(0);
    const startOps: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < n) {
          const i = next++;
          // the lesson page first: its view hands out the offer that lets `start` read nothing
          const v = await bench.call('study', 'lesson', { lessonId: LIVE_ID }, members[i].openid);
          const r = await bench.call('study', 'start', { lessonId: LIVE_ID, offer: v.body.result?.data?.startOffer ?? undefined }, members[i].openid);
          if (r.status !== 200) throw new Error(`start: ${r.status} ${JSON.stringify(r.body.error)}`);
          sessions[i] = r.body.result.data.sessionId;
          leases[i] = r.body.result.data.lease;
          lastAt[i] = performance.now();
          if (r.ops) startOps.push(r.ops.total);
        }
      }),
    );

    // the livestream: member i beats every BEAT_SEC, offset so the load is even
    const lat: number[] = [];
    const ops: number[] = [];
    let errors = 0;
    let beats = 0;
    let credited = 0;
    const t0 = performance.now();
    const end = t0 + SECONDS * 1000;
    const due = members.map((_, i) => t0 + BEAT_SEC * 1000 * (1 + i / n));
    const queue: number[] = [];
    let inFlight = 0;
    const MAX_IN_FLIGHT = 256;
    await new Promise<void>((resolve) => {
      const pump = () => {
        const t = performance.now();
        if (t >= end && inFlight === 0) return resolve();
        if (t < end) {
          for (let i = 0; i < n; i++) {
            if (due[i] <= t && due[i] < end) {
              queue.push(i);
              due[i] += BEAT_SEC * 1000;
            }
          }
        }
        while (queue.length && inFlight < MAX_IN_FLIGHT) {
          const i = queue.shift()!;
          inFlight++;
          const s = performance.now();
          const played = (s - lastAt[i]) / 1000;
          lastAt[i] = s;
          bench
            .call('study', 'checkpoint', { lease: leases[i], played, position: 0 }, members[i].openid)
            .then(
              (r) => {
                lat.push(performance.now() - s);
                beats++;
                if (r.status !== 200) errors++;
                else {
                  credited += r.body.result.data.creditedSec;
                  leases[i] = r.body.result.data.lease;
                }
                if (r.ops) ops.push(r.ops.total);
              },
              () => {
                errors++;
                beats++;
              },
            )
            .finally(() => inFlight--);
        }
        setTimeout(pump, 5);
      };
      pump();
    });
    const wall = (performance.now() - t0) / 1000;
    lat.sort((a, b) => a - b);

    const viewer = SEED === 'demo' ? DEMO.memberOpenid : members[0].openid;
    const secretary = SEED === 'demo' ? DEMO.secretaryOpenid : 'dist-w1-s01-c01-b01-01';
    const progress = await bench.call('study', 'progress', {}, viewer);
    const table = await bench.call('study', 'branchTable', {}, secretary);
    const stop = await bench.call('study', 'stop', { sessionId: sessions[0], lease: leases[0], played: 1, position: 0 }, members[0].openid);

    const result = {
      measuredAt: new Date().toISOString(),
      seed: SEED,
      members: n,
      beatEverySec: BEAT_SEC,
      seconds: SECONDS,
      offeredBeatsPerSecond: round(n / BEAT_SEC, 1),
      equivalentMembersAt30s: Math.round((n / BEAT_SEC) * 30),
      beats,
      sustainedBeatsPerSecond: round(beats / wall, 1),
      p50: round(percentile(lat, 50), 1),
      p99: round(percentile(lat, 99), 1),
      errors,
      opsPerBeat: { min: Math.min(...ops), max: Math.max(...ops), mean: round(ops.reduce((a, b) => a + b, 0) / Math.max(1, ops.length), 2) },
      opsPerStart: { min: Math.min(...startOps), max: Math.max(...startOps) },
      opsPerProgressView: progress.ops?.total,
      opsPerBranchTable: table.ops?.total,
      opsPerStop: stop.ops?.total,
      creditedSecondsPerMemberMean: round(credited / n, 1),
      wallSeconds: round(wall, 1),
    };
    const file = writeResult('study', result);
    console.table([
      {
        what: 'livestream checkpoints',
        members: n,
        'every (s)': BEAT_SEC,
        '≈ members @30s': result.equivalentMembersAt30s,
        'beats/s': result.sustainedBeatsPerSecond,
        p50: result.p50,
        p99: result.p99,
        errors,
      },
    ]);
    console.table([
      {
        what: 'DB ops',
        checkpoint: `${result.opsPerBeat.min}–${result.opsPerBeat.max} (mean ${result.opsPerBeat.mean})`,
        start: `${result.opsPerStart.min}–${result.opsPerStart.max}`,
        progress: result.opsPerProgressView,
        branchTable: result.opsPerBranchTable,
        stop: result.opsPerStop,
      },
    ]);
    console.log(`credited per member: ${result.creditedSecondsPerMemberMean} s of ${result.wallSeconds} s wall → ${file}`);
  } finally {
    await bench.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
