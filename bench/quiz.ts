/**
 * Daily-quiz benchmark: a district's morning burst on the emulator. Members of the `district` seed
 * (南阳市宛城区, 25,000 members) each fetch today's set and submit it, with many in flight at once as
 * after a morning push; a trivial function is measured in the same run for scale. Then the secretary
 * and ranking views are measured after 1 day and after 30 days of answer history.
 *
 *   npx tsx bench/quiz.ts                         # 2,000 members (default, a few minutes)
 *   QUIZ_MEMBERS=25000 npx tsx bench/quiz.ts      # the whole district
 *   QUIZ_CONCURRENCY=64 QUIZ_POOL=4               # in-flight calls, warm instances per function
 *
 * Prints a table and writes bench/results/quiz.json. Figures, never pass/fail.
 */
import path from 'node:path';
import { buildFunctions } from '../emulator/build-functions';
import { districtData, DISTRICT } from '../seed';
import { addDays, dayOf } from '../core/day';
import { pastQuizEntry } from '../core/quiz/stored';
import { benchEmulator, bindMembers, isOk as ok, load, percentile, quizAnswers, round, storeOf, writeResult, ROOT, type CallOutcome } from './lib';

const MEMBERS = Number(process.env.QUIZ_MEMBERS ?? 2000);
const CONCURRENCY = Number(process.env.QUIZ_CONCURRENCY ?? 64);
const POOL = Number(process.env.QUIZ_POOL ?? 4);

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] };
};

async function main() {
  const fnRoot = path.join(ROOT, 'cloudfunctions');
  const t0 = Date.now();
  await buildFunctions(fnRoot);
  const bench = await benchEmulator(
    { noop: path.join(ROOT, 'bench', 'functions', 'noop'), quiz: path.join(fnRoot, 'quiz') },
    { seed: 'district', pool: POOL },
  );
  const seededIn = (Date.now() - t0) / 1000;
  try {
    const store = storeOf(bench);
    const all = districtData().members.filter((m) => m.status === 'active');
    // Bound members first; for a run larger than that (the seed binds ~70% of members to WeChat),
    // the rest are bound here, as if everyone had joined the mini-program.
    const members = [...all.filter((m) => m.openid), ...all.filter((m) => !m.openid)].slice(0, MEMBERS);
    if (members.length < MEMBERS) throw new Error(`the district seed has only ${members.length} members`);
    const boundHere = bindMembers(store, members);

    // Warm every instance of both functions (the quiz's first call of the day also chooses the set).
    await load(200, CONCURRENCY, async () => (await bench.call('noop', undefined, {}, 'warm')).status === 200);
    await load(40, 8, async (i) => ok(await bench.call('quiz', 'today', {}, members[members.length - 1 - (i % 8)].openid!)));

    const trivial = await load(MEMBERS, CONCURRENCY, async (i) => ok(await bench.call('noop', undefined, {}, `bench-${i}`)));

    const sets = new Map<string, { day: string; questions: Array<{ id: string; type: string }> }>();
    const fetchOps: number[] = [];
    const fetch = await load(MEMBERS, CONCURRENCY, async (i) => {
      const r = await bench.call('quiz', 'today', {}, members[i].openid!);
      if (r.ops) fetchOps.push(r.ops.total);
      if (ok(r)) sets.set(members[i]._id, r.body.result.data);
      return ok(r);
    });
    const submitOps: number[] = [];
    const submit = await load(MEMBERS, CONCURRENCY, async (i) => {
      const s = sets.get(members[i]._id)!;
      const answers = quizAnswers(s);
      const r = await bench.call('quiz', 'submit', { day: s.day, answers }, members[i].openid!);
      if (r.ops) submitOps.push(r.ops.total);
      return ok(r) && r.body.result.data.duplicate === false;
    });
    const allSame = new Set([...sets.values()].map((s) => s.questions.map((q) => q.id).join())).size === 1;
    const records = store.count('points_ledger', { 'source.type': 'quiz' });

    // Views: DB operations and latency after 1 day, then after 29 more days of history.
    const secretary = DISTRICT.secretaryOpenid;
    const views: Array<[string, string, unknown]> = [
      ['branchToday', secretary, {}],
      ['rankMembers', secretary, {}],
      ['rankBranches', secretary, { level: 'community' }],
      ['rankBranches', secretary, { level: 'street' }],
    ];
    const measureViews = async () => {
      const out: Record<string, { ops: number; ms: number }> = {};
      for (const [a, who, p] of views) {
        const runs: CallOutcome[] = [];
        for (let k = 0; k < 3; k++) runs.push(await bench.call('quiz', a, p, who));
        if (!runs.every(ok)) throw new Error(`${a}: ${JSON.stringify(runs[0].body)}`);
        out[`${a}${(p as { level?: string }).level ? `(${(p as { level: string }).level})` : ''}`] = { ops: runs[0].ops!.total, ms: round(stats(runs.map((r) => r.ms)).p50, 1) };
      }
      return out;
    };
    const day1 = await measureViews();
    const today = dayOf(new Date());
    for (let d = 1; d < 30; d++) {
      const day = addDays(today, -d);
      store.insertMany(
        'points_ledger',
        members.map((m) => pastQuizEntry(m, day, new Date(), { correct: 3, total: 5, wrong: 2, results: [] }, 3, '历史')),
      );
    }
    const day30 = await measureViews();

    const result = {
      when: new Date().toISOString(),
      node: process.version,
      members: MEMBERS,
      concurrency: CONCURRENCY,
      pool: POOL,
      seedSeconds: round(seededIn, 1),
      boundForTheRun: boundHere,
      trivial,
      fetch,
      submit,
      fetchOps: stats(fetchOps),
      submitOps: stats(submitOps),
      submitOpsHistogram: submitOps.reduce<Record<number, number>>((h, n) => ((h[n] = (h[n] ?? 0) + 1), h), {}),
      submitOverTrivialP50: round(submit.p50 / trivial.p50, 2),
      sameSetForAll: allSame,
      answerRecords: records,
      views: { day1, day30 },
    };
    const file = writeResult('quiz', result);
    const line = (name: string, r: typeof trivial) =>
      `| ${name.padEnd(16)} | ${String(r.calls).padStart(6)} | ${String(r.callsPerSecond).padStart(7)} | ` +
      `${String(r.p50).padStart(7)} | ${String(r.p99).padStart(7)} | ${String(r.errors).padStart(6)} |`;
    console.log(`\n每日答题 burst: ${MEMBERS} members of the district seed, ${CONCURRENCY} in flight, ${POOL} warm instances per function\n`);
    console.log('| phase            |  calls | calls/s | p50 ms  | p99 ms  | errors |');
    console.log('|------------------|-------:|--------:|--------:|--------:|-------:|');
    console.log(line('noop (trivial)', trivial));
    console.log(line('quiz.today', fetch));
    console.log(line('quiz.submit', submit));
    console.log(`\nDB ops per submit: min ${result.submitOps.min}, p50 ${result.submitOps.p50}, max ${result.submitOps.max}  ${JSON.stringify(result.submitOpsHistogram)}`);
    console.log(`DB ops per today:  min ${result.fetchOps.min}, p50 ${result.fetchOps.p50}, max ${result.fetchOps.max}`);
    console.log(`submit p50 / trivial p50 = ${result.submitOverTrivialP50}; same set for every member: ${allSame}; answer records: ${records}`);
    console.log('\n| view                     | ops after 1 day | ops after 30 days | ms (1 day) | ms (30 days) |');
    console.log('|--------------------------|----------------:|------------------:|-----------:|-------------:|');
    for (const k of Object.keys(day1)) {
      const cells = [k.padEnd(24), String(day1[k].ops).padStart(15), String(day30[k].ops).padStart(17), String(day1[k].ms).padStart(10), String(day30[k].ms).padStart(12)];
      console.log(`| ${cells.join(' | ')} |`);
    }
    console.log(`\nwrote ${file}`);
  } finally {
    await bench.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
