/**
 * Activity benchmark on the demo district plus a 200-member branch:
 *   - DB operations per sign-in and per leave request (x-db-ops, counted by the emulator);
 *   - 200 members signing in to one activity within a minute (errors, records, p50/p99);
 *   - closing that activity (absences + points + 学时 for 200);
 *   - a year of activities for the 200-member branch: automatic absence marking by the timer,
 *     then the .xlsx 台账 export and the rates (DB operations and time).
 *
 *   npx tsx bench/activity.ts                 default: 200 members, 24 activities
 *   BENCH_MEMBERS=500 BENCH_ACTIVITIES=48 npx tsx bench/activity.ts
 */
import path from 'node:path';
import { buildFunctions } from '../emulator/build-functions';
import { DEMO } from '../seed';
import type { RosterEntry } from '../core/activity/rules';
import { activityFields as activityForm } from '../core/activity/contracts';
import { newActivityDoc, newAttendance, type StoredActivity, type StoredAttendance } from '../core/activity/stored';
import { activityFields, benchEmulator, load, percentile, round, writeResult, ROOT } from './lib';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 200);
const ACTIVITIES = Number(process.env.BENCH_ACTIVITIES ?? 24);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
/** 25-member activities closed one after another by the secretary (p50/p99 of closeSignIn) */
const CLOSES = Number(process.env.BENCH_CLOSES ?? 20);
const CLOSE_ROSTER = 25;
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

async function main() {
  await buildFunctions(path.join(ROOT, 'cloudfunctions'));
  const bench = await benchEmulator({ activity: path.join(ROOT, 'cloudfunctions', 'activity') }, { seed: 'demo' });
  const { emu, call } = bench;
  const store = emu.backend.store as any;
  try {
    // a 200-member branch: the demo branch's secretary runs it
    const branch = store.findOne('org_nodes', DEMO.branchId);
    const path_ = [...branch.path, branch._id];
    const now = new Date();
    const extra = Array.from({ length: MEMBERS }, (_x, i) => ({
      _id: `bm${String(i).padStart(4, '0')}`,
      name: `党员${i}`,
      phone: `1770000${String(i).padStart(4, '0')}`,
      openid: `bench-m-${i}`,
      branchId: DEMO.branchId,
      groupId: null,
      path: path_,
      role: 'member',
      status: 'active',
      createdAt: now,
      updatedAt: now,
    }));
    store.insertMany('org_members', extra);
    const sec = DEMO.secretaryOpenid;
    const must = (r: { status: number; body: any }) => {
      if (r.status !== 200) throw new Error(JSON.stringify(r.body));
      return r.body.result.data;
    };

    // --- ops per sign-in and per leave request
    const act = must(await call('activity', 'save', { fields: activityFields(20, '压测主题党日') }, sec));
    must(await call('activity', 'publish', { id: act.id }, sec));
    let token = must(await call('activity', 'qrToken', { id: act.id }, sec)).token;
    const firstSignIn = await call('activity', 'signIn', { token }, extra[0].openid);
    const warmSignIn = await call('activity', 'signIn', { token }, extra[1].openid);
    const retrySignIn = await call('activity', 'signIn', { token }, extra[1].openid);
    const leave = await call('activity', 'requestLeave', { id: act.id, reason: '出差在外' }, extra[2].openid);
    const review = await call('activity', 'reviewLeave', { id: act.id, memberId: extra[2]._id, decision: 'approve' }, sec);

    // --- 200 sign-ins within a minute (the QR screen refreshes the token as it would)
    const refresher = setInterval(async () => {
      const r = await call('activity', 'qrToken', { id: act.id }, sec);
      if (r.status === 200) token = r.body.result.data.token;
    }, 10_000);
    const opsBurst: number[] = [];
    const burst = await load(MEMBERS, CONCURRENCY, async (i) => {
      const r = await call('activity', 'signIn', { token }, extra[i].openid);
      if (r.ops) opsBurst.push(r.ops.total);
      return r.status === 200 || (i === 2 && r.status === 409);
    });
    clearInterval(refresher);
    const records = store.count('activity_attendance', { activityId: act.id, status: 'present' });
    const attendees = new Set(store.find('activity_attendance', { activityId: act.id }).map((r: any) => r.memberId));
    const dupes = store.count('activity_attendance', { activityId: act.id }) - attendees.size;

    // --- closing it: absences, points and 学时 for everyone present
    // sign-in can be closed only once the activity has started
    store.update('activity_items', { _id: act.id }, { $set: { startAt: new Date(Date.now() - 60_000) } });
    const close = await call('activity', 'closeSignIn', { id: act.id }, sec);
    const closeData = must(close);

    // --- closing 25-member activities one at a time: 80% signed in, one on leave, the rest absent
    const branchRoster = extra.map((m): RosterEntry => ({ id: m._id, name: m.name, branchId: m.branchId }));
    const closeMs: number[] = [];
    const closeOps: number[] = [];
    for (let k = 0; k < CLOSES; k++) {
      const start = new Date(Date.now() - 40 * MIN);
      const id = `bench-close-${k}`;
      const roster = branchRoster.slice((k * CLOSE_ROSTER) % Math.max(1, MEMBERS - CLOSE_ROSTER), ((k * CLOSE_ROSTER) % Math.max(1, MEMBERS - CLOSE_ROSTER)) + CLOSE_ROSTER);
      const doc = newActivityDoc(
        {
          id,
          fields: activityForm.parse({ ...activityFields(0, `第 ${k + 1} 次支部党员大会`, start.getTime()), type: 'branch_meeting', agenda: '学习与讨论' }),
          host: { branchId: DEMO.branchId, branchName: branch.name, path: branch.path, secretaryId: DEMO.secretaryId, secretaryName: '书记' },
          now: start,
        },
        { status: 'published', rev: 1, roster },
      );
      store.insertMany('activity_items', [doc]);
      const recs = roster.flatMap((m, i) =>
        i % 5 === 4 ? [] : [newAttendance({ _id: id, startAt: start }, m, start, { status: i === 3 ? 'leave' : 'present', method: 'qr', at: start })],
      );
      store.insertMany('activity_attendance', recs);
      const r = await call('activity', 'closeSignIn', { id }, sec);
      must(r);
      closeMs.push(r.ms);
      closeOps.push(r.ops?.total ?? -1);
    }
    closeMs.sort((x, y) => x - y);
    closeOps.sort((x, y) => x - y);

    // --- a year of activities, windows closed, not finalised: the timer marks absences
    const roster = store
      .find('org_members', { branchId: DEMO.branchId, status: 'active' })
      .map((m: any): RosterEntry => ({ id: m._id, name: m.name, branchId: m.branchId }));
    const yearActs: StoredActivity[] = [];
    const yearRecs: StoredAttendance[] = [];
    for (let k = 0; k < ACTIVITIES; k++) {
      const start = new Date(now.getTime() - (k + 1) * Math.floor(360 / ACTIVITIES) * DAY);
      const id = `bench-year-${k}`;
      yearActs.push(
        newActivityDoc(
          {
            id,
            // the form a secretary sends for a start at `start`, validated as `save` validates it
            fields: activityForm.parse({ ...activityFields(0, `第 ${k + 1} 次组织生活`, start.getTime()), type: k % 2 ? 'branch_meeting' : 'theme_day', agenda: '学习与讨论' }),
            host: { branchId: DEMO.branchId, branchName: branch.name, path: branch.path, secretaryId: DEMO.secretaryId, secretaryName: '书记' },
            now: start,
          },
          // awards are measured on the burst activity above; here the timer's absence work alone
          { status: 'published', rev: 1, roster, awardedAt: now },
        ),
      );
      roster.forEach((m: RosterEntry, i: number) => {
        if ((i + k) % 5 === 0) return; // no record: absent at the close
        yearRecs.push(newAttendance({ _id: id, startAt: start }, m, start, { status: (i + k) % 17 === 1 ? 'leave' : 'present', method: 'qr', at: start }));
      });
    }
    store.insertMany('activity_items', yearActs);
    for (let i = 0; i < yearRecs.length; i += 5000) store.insertMany('activity_attendance', yearRecs.slice(i, i + 5000));
    const timerRuns: { finalised: number; ops: number; ms: number }[] = [];
    for (let run = 0; run < 10; run++) {
      // the function's one timer trigger runs every due job; finalise is one of them
      const r = await emu.fireTrigger('activity', 'tick');
      const { jobs, failed } = r.result as { jobs: { finalise?: { finalised: number } }; failed: string[] };
      if (failed.length || !jobs.finalise) throw new Error(`tick: jobs failed: ${failed.join(', ') || 'finalise did not run'}`);
      const out = jobs.finalise;
      timerRuns.push({ finalised: out.finalised, ops: r.ops.total, ms: round(r.ms, 0) });
      if (out.finalised === 0) break;
    }
    const finalisedCount = store.count('activity_items', { _id: { $in: yearActs.map((a) => a._id) }, finalisedAt: { $ne: null } });
    const absentCount = store.count('activity_attendance', { activityId: { $in: yearActs.map((a) => a._id) }, status: 'absent' });

    const from = new Date(now.getTime() - 365 * DAY).toISOString().slice(0, 10);
    const to = now.toISOString().slice(0, 10);
    const exp = await call('activity', 'exportLedger', { from, to }, sec);
    const expData = must(exp);
    const rates = await call('activity', 'rates', { from, to }, sec);
    must(rates);

    const result = {
      measuredAt: now.toISOString(),
      node: process.version,
      members: roster.length,
      opsPerCall: {
        signInFirst: firstSignIn.ops,
        signInWarm: warmSignIn.ops,
        signInRetry: retrySignIn.ops,
        requestLeave: leave.ops,
        reviewLeave: review.ops,
      },
      burst: { ...burst, concurrency: CONCURRENCY, records, duplicates: dupes, opsMin: Math.min(...opsBurst), opsMax: Math.max(...opsBurst) },
      close: { ops: close.ops, ms: round(close.ms, 0), present: closeData.counts.present, absentMarked: closeData.markedAbsent },
      closes25: CLOSES
        ? { closes: CLOSES, p50: round(percentile(closeMs, 50), 0), p99: round(percentile(closeMs, 99), 0), opsMin: closeOps[0], opsMax: closeOps[closeOps.length - 1] }
        : null,
      absenceTimer: { activities: ACTIVITIES, rosterSize: roster.length, runs: timerRuns, finalised: finalisedCount, absentRecords: absentCount },
      export: { ops: exp.ops, ms: round(exp.ms, 0), bytes: expData.bytes, activities: expData.activities, rows: expData.rows },
      rates: { ops: rates.ops, ms: round(rates.ms, 0) },
    };
    const file = writeResult('activity', result);
    const o = (x: any) => `${x?.total ?? '?'} (r${x?.reads} w${x?.writes} t${x?.transactions})`;
    process.stdout.write(
      [
        `activity bench — ${roster.length} members in the branch`,
        `ops per sign-in: first ${o(firstSignIn.ops)}, warm ${o(warmSignIn.ops)}, retry ${o(retrySignIn.ops)}`,
        `ops per leave request: ${o(leave.ops)}; per review: ${o(review.ops)}`,
        `burst: ${MEMBERS} sign-ins, concurrency ${CONCURRENCY}: ${burst.seconds} s, ${burst.callsPerSecond}/s, ` +
          `p50 ${burst.p50} ms, p99 ${burst.p99} ms, errors ${burst.errors}, records ${records}, duplicates ${dupes}, ` +
          `ops ${Math.min(...opsBurst)}–${Math.max(...opsBurst)}`,
        `close (absences + points + 学时): ${o(close.ops)}, ${round(close.ms, 0)} ms`,
        CLOSES
          ? `closeSignIn, ${CLOSES} × ${CLOSE_ROSTER} members: p50 ${round(percentile(closeMs, 50), 0)} ms, p99 ${round(percentile(closeMs, 99), 0)} ms, ` +
            `ops ${closeOps[0]}–${closeOps[closeOps.length - 1]}`
          : 'closeSignIn p50/p99: skipped (BENCH_CLOSES=0)',
        `absence timer, ${ACTIVITIES} activities × ${roster.length}: ` +
          `${timerRuns.map((r) => `${r.finalised} in ${r.ms} ms / ${r.ops} ops`).join('; ')} → ${finalisedCount} finalised, ${absentCount} absent records`,
        `export (.xlsx, ${expData.activities} activities, ${expData.rows} rows, ${Math.round(expData.bytes / 1024)} KB): ${o(exp.ops)}, ${round(exp.ms, 0)} ms`,
        `rates: ${o(rates.ops)}, ${round(rates.ms, 0)} ms`,
        `written to ${file}`,
      ].join('\n') + '\n',
    );
  } finally {
    await bench.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
