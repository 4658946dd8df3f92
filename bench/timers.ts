/**
 * The study function's district-scale timers and export on the full district seed (25,000 members
 * in 1,000 branches of 25), printing figures (never pass/fail):
 *
 *   1. live reminders, through the emulator's host: VIEWERS members (5,000) tap 提醒我 (the real
 *      `remind` action, one subscribe grant each) for a district live lesson starting in 15 minutes,
 *      then the `tick` trigger runs back to back until nothing is due; each run's reminders, time
 *      and database operations, and the emulator's outbox checked (every viewer once). Then the
 *      rest of the district (25,000 in all; their grants and reminders stored directly in the
 *      action's shape; BENCH_REMIND_ALL=0 skips it) the same way;
 *   2. the same 25,000 reminders with WeChat's round trip modelled: sendLiveReminders in this
 *      process against the emulator's data plane, each subscribeMessage.send taking SEND_MS (150 ms)
 *      and the production limits (LIVE_REMINDERS: 20 in flight, 40 s a run): reminders per run,
 *      runs needed, and whether the last goes out before the start (a run a minute from 15 minutes
 *      before);
 *   3. the 学时台账 export of one branch after a modelled year (each member ≈ 42 credits: 12 主题党日,
 *      and 18–42 online or live sessions, ≈ 1,050 a branch) and of a branch four times that, through
 *      the host: rows, file size, base64 size (what callFunction returns), time and reads; and the
 *      district's credits for the year in all.
 *
 *   npm run bench:timers                       (or npx tsx bench/timers.ts)
 *   BENCH_VIEWERS=1000 BENCH_REMIND_ALL=0 BENCH_SEND_MS=100 npx tsx bench/timers.ts
 *
 * Writes bench/results/timers.json (BENCH_OUT: another folder).
 */
import path from 'node:path';
import ExcelJS from 'exceljs';
import { buildFunctions } from '../emulator/build-functions';
import { DISTRICT } from '../seed';
import { yearOf } from '../core/day';
import { creditId, newCreditDoc } from '../core/study/credit';
import type { StudySource } from '../core/study/rules';
import { SUBSCRIBE_TEMPLATES } from '../core/subscribe/templates';
import { LIVE_REMINDERS, sendLiveReminders } from '../cloudfunctions/study/actions';
import { benchEmulator, bindMembers, isOk, liveLessonDoc, load, round, storeOf, writeResult, ROOT, type BenchEmulator } from './lib';
// seeded, so every run models the same year
import { prng } from '../seed/names';

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v >= 0 && process.env[name] !== '' && process.env[name] !== undefined ? v : fallback;
};
const VIEWERS = num('BENCH_VIEWERS', 5000);
const REMIND_ALL = num('BENCH_REMIND_ALL', 1) > 0;
const SEND_MS = num('BENCH_SEND_MS', 150);
const CONCURRENCY = num('BENCH_CONCURRENCY', 32);
const LIVE_ID = 'l-timers-live';
const TEMPLATE = SUBSCRIBE_TEMPLATES.studyLive.id;

type Member = { _id: string; openid: string | null; branchId: string; path: string[]; name: string; role: string };

const log = (s: string) => process.stdout.write(`${s}\n`);

interface RunRow {
  run: number;
  sent: number;
  failed: number;
  left: boolean;
  ms: number;
  reads?: number;
  writes?: number;
}

/** Fires the study `tick` until the live-reminder job reports nothing left. */
async function tickUntilDone(bench: BenchEmulator, maxRuns = 40): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  for (let run = 1; run <= maxRuns; run++) {
    const r = await bench.emu.fireTrigger('study', 'tick');
    const job = (r.result as { jobs?: { liveReminders?: { sent: number; failed: number; left: boolean } } })?.jobs?.liveReminders;
    if (!job) throw new Error(`the tick ran no liveReminders job: ${JSON.stringify(r.result).slice(0, 300)}`);
    rows.push({ run, ...job, ms: round(r.ms, 0), reads: r.ops.reads, writes: r.ops.writes });
    log(`  run ${run}: ${job.sent} sent, ${job.failed} not delivered, ${round(r.ms / 1000, 1)} s, ${r.ops.reads} reads, ${r.ops.writes} writes${job.left ? ' — more left' : ''}`);
    if (!job.left) break;
  }
  return rows;
}

async function outboxOf(bench: BenchEmulator): Promise<Array<{ openid: string; templateId: string; refused?: unknown }>> {
  const res = await fetch(`${bench.emu.url}/api/outbox`);
  return ((await res.json()) as { messages: Array<{ openid: string; templateId: string; refused?: unknown }> }).messages;
}

/**
 * `members` tap 提醒我: one grant each, then the real `remind` action; or, for the rest of the
 * district (`direct`), the same grant and a reminder copied from one the action wrote, so the bench
 * does not spend minutes on 20,000 more taps.
 */
async function remindAll(bench: BenchEmulator, members: Member[], direct = false) {
  for (const m of members) bench.emu.backend.grants!.accept(m.openid!, [TEMPLATE]);
  if (!direct) return load(members.length, CONCURRENCY, async (i) => isOk(await bench.call('study', 'remind', { lessonId: LIVE_ID }, members[i].openid!)));
  const store = storeOf(bench);
  const [shape] = store.find('study_reminders', { lessonId: LIVE_ID }, { limit: 1 });
  const t0 = performance.now();
  const docs = members.map((m) => ({ ...shape, _id: `${LIVE_ID}:${m._id}`, memberId: m._id, openid: m.openid, sent: false, createdAt: new Date() }));
  for (let i = 0; i < docs.length; i += 5000) store.insertMany('study_reminders', docs.slice(i, i + 5000));
  const s = (performance.now() - t0) / 1000;
  return { calls: members.length, errors: 0, seconds: round(s, 2), callsPerSecond: round(members.length / s, 0), p50: NaN, p99: NaN };
}

async function remindersPhase(bench: BenchEmulator, members: Member[]) {
  const out: Record<string, unknown> = {};
  const groups: Array<[string, Member[]]> = [[`${VIEWERS} viewers`, members.slice(0, VIEWERS)]];
  if (REMIND_ALL && members.length > VIEWERS) groups.push([`the whole district (${members.length})`, members.slice(VIEWERS)]);
  let reminded = 0;
  for (const [label, group] of groups) {
    log(`\n1. live reminders: ${label} tap 提醒我`);
    const taps = await remindAll(bench, group, reminded > 0);
    reminded += group.length;
    log(reminded > group.length ? `  ${taps.calls} more reminders stored as \`remind\` writes them` : `  remind: ${taps.calls} calls, ${taps.errors} errors, ${taps.callsPerSecond}/s`);
    const t0 = Date.now();
    const runs = await tickUntilDone(bench);
    const seconds = (Date.now() - t0) / 1000;
    const outbox = (await outboxOf(bench)).filter((m) => m.templateId === TEMPLATE);
    const accepted = outbox.filter((m) => !m.refused);
    const distinct = new Set(accepted.map((m) => m.openid)).size;
    const refused = outbox.length - accepted.length;
    log(`  ${runs.length} run(s), ${round(seconds, 1)} s back to back; outbox: ${accepted.length} accepted for ${distinct} members (${reminded} reminded so far), ${refused} refused`);
    out[label] = { taps, runs, seconds: round(seconds, 1), accepted: accepted.length, distinctMembers: distinct, remindedSoFar: reminded };
  }
  return out;
}

/** Part 2: the production limits with WeChat's round trip modelled, against the emulator's data plane. */
async function modelledPhase(bench: BenchEmulator, total: number) {
  log(`\n2. the same ${total} reminders, each send taking ${SEND_MS} ms, ${LIVE_REMINDERS.concurrency} in flight, ${LIVE_REMINDERS.budgetMs / 1000} s a run`);
  const store = storeOf(bench);
  store.update('study_reminders', { lessonId: LIVE_ID }, { $set: { sent: false } }, { multi: true });
  const emu = bench.emu;
  Object.assign(process.env, {
    TCB_CONTEXT_CNFG: JSON.stringify({ URL: `${emu.url}/admin` }),
    TENCENTCLOUD_SECRETID: emu.credentials.secretId,
    TENCENTCLOUD_SECRETKEY: emu.credentials.secretKey,
    TENCENTCLOUD: 'true',
    TCB_ENV: emu.host.env,
    SCF_NAMESPACE: emu.host.env,
  });
  const sdk = require('wx-server-sdk');
  sdk.init({ env: sdk.DYNAMIC_CURRENT_ENV });
  const db = sdk.database({ throwOnNotFound: false });
  const sendSubscribe = () => new Promise<{ ok: true }>((r) => setTimeout(() => r({ ok: true }), SEND_MS));
  const runs: RunRow[] = [];
  const t0 = Date.now();
  for (let run = 1; run <= 40; run++) {
    const s = Date.now();
    const r = await sendLiveReminders({ db, now: new Date(), sendSubscribe });
    runs.push({ run, ...r, ms: Date.now() - s });
    log(`  run ${run}: ${r.sent} sent in ${round((Date.now() - s) / 1000, 1)} s${r.left ? ' — more left' : ''}`);
    if (!r.left) break;
  }
  const sent = runs.reduce((a, r) => a + r.sent, 0);
  const perRun = Math.max(...runs.map((r) => r.sent));
  // on CloudBase the runs are a minute apart, from 15 minutes before the start
  const lastRunMinute = runs.length - 1;
  const work = (Date.now() - t0) / 1000;
  log(`  ${sent} sent in ${runs.length} run(s) (${round(work, 1)} s of work): up to ${perRun} a run, ${round(sent / work, 0)}/s;`);
  log(`  a run a minute from 15 minutes before the start: the last reminder leaves ${15 - lastRunMinute} minutes before it`);
  return { sendMs: SEND_MS, limits: LIVE_REMINDERS, runs, sent, maxPerRun: perRun, perSecond: round(sent / work, 0), minutesBeforeStartOfLast: 15 - lastRunMinute };
}

/** A modelled year of one member's credits (≈ 42): 12 主题党日 and 18–42 online or live sessions. */
function memberYear(m: Member, year: number, r: () => number, today: string) {
  const out: Record<string, unknown>[] = [];
  const pad = (n: number) => String(n).padStart(2, '0');
  const add = (i: number, source: StudySource, minutes: number, reason: string, mo: number) => {
    const day = `${year}-${pad(mo)}-${pad(1 + Math.floor(r() * 28))}`;
    if (day > today) return;
    const c = { memberId: m._id, branchId: m.branchId, path: m.path, name: m.name, role: m.role, day, source, sourceId: `bench-${source}-${i}`, seconds: minutes * 60, reason };
    out.push({ _id: creditId(c), ...newCreditDoc(c, new Date()) });
  };
  for (let mo = 1; mo <= 12; mo++) add(mo, 'activity', 90, '主题党日', mo);
  const sessions = 18 + Math.floor(r() * 25);
  for (let i = 0; i < sessions; i++) {
    const live = r() < 0.25;
    add(i, live ? 'live' : 'online', 20 + Math.floor(r() * 60), live ? '直播课' : '在线课程', 1 + Math.floor(r() * 12));
  }
  return out;
}

async function exportPhase(bench: BenchEmulator, members: Member[]) {
  log('\n3. the 学时台账 export after a modelled year');
  const store = storeOf(bench);
  // a full year: the credits of every day up to 31 December of this year
  const year = yearOf(new Date());
  const today = `${year}-12-31`;
  const r = prng(20240701);
  const byBranch = new Map<string, Member[]>();
  for (const m of members) byBranch.set(m.branchId, [...(byBranch.get(m.branchId) ?? []), m]);
  // the district's year in all, without storing it: the same model for every member
  let districtCredits = 0;
  for (const m of members) districtCredits += memberYear(m, year, r, today).length;
  const branch = DISTRICT.branchId;
  const roster = byBranch.get(branch)!;
  const secretary = roster.find((m) => m.role === 'secretary')!;
  const results: Record<string, unknown>[] = [];
  // the first export after one modelled year; the second after three more copies of it (four times the credits)
  for (const [label, copies] of [['a branch of 25 after a year', [0]], ['a branch with four times the credits', [1, 2, 3]]] as const) {
    const docs = roster.flatMap((m) => copies.flatMap((k) => memberYear(m, year, r, today).map((d) => ({ ...d, _id: `${d._id}:${k}`, sourceId: `${d.sourceId}:${k}` }))));
    store.insertMany('study_credits', docs);
    const credits = store.count('study_credits', { branchId: branch, year });
    const t0 = performance.now();
    const res = await bench.call('study', 'exportLedger', { branchId: branch, year }, secretary.openid!);
    const ms = performance.now() - t0;
    if (!isOk(res)) throw new Error(`export failed: ${JSON.stringify(res.body).slice(0, 300)}`);
    const b64 = res.body.result.data.base64 as string;
    const xlsx = Buffer.from(b64, 'base64');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx as unknown as ArrayBuffer);
    const rows = (wb.getWorksheet('学时明细')!.getSheetValues() as unknown[]).slice(2).filter(Boolean).length;
    const row = { label, credits, rowsInFile: rows, xlsxKB: round(xlsx.length / 1024, 1), base64KB: round(b64.length / 1024, 1), ms: round(ms, 0), reads: res.ops?.reads ?? null };
    results.push(row);
    log(`  ${label}: ${credits} credits → ${rows} rows in the file, ${row.xlsxKB} KB (${row.base64KB} KB as base64), ${row.ms} ms, ${row.reads} reads`);
  }
  log(`  the district's year: ≈ ${districtCredits.toLocaleString('en')} credits (${round(districtCredits / members.length, 1)} a member, ≈ ${Math.round(districtCredits / byBranch.size)} a branch)`);
  return { year, districtCredits, perMember: round(districtCredits / members.length, 1), perBranch: Math.round(districtCredits / byBranch.size), branches: byBranch.size, exports: results };
}

async function main() {
  const t0 = Date.now();
  const fnRoot = path.join(ROOT, 'cloudfunctions');
  await buildFunctions(fnRoot);
  const bench = await benchEmulator({ study: path.join(fnRoot, 'study') }, { seed: 'district', pool: 4 });
  try {
    const store = storeOf(bench);
    const members = store.find('org_members', { status: 'active' }, { sort: { _id: 1 } }) as Member[];
    const bound = bindMembers(store, members);
    log(`district seed: ${members.length} members, ${bound} bound here (${round((Date.now() - t0) / 1000, 0)} s)`);
    const root = store.findOne('org_nodes', DISTRICT.districtId);
    const startsAt = new Date(Date.now() + 15 * 60_000);
    store.put('study_lessons', { ...liveLessonDoc(LIVE_ID, root._id, root.name), startsAt, publishedAt: new Date(Date.now() - 3600_000) });
    const reminders = await remindersPhase(bench, members);
    const total = store.count('study_reminders', { lessonId: LIVE_ID });
    const modelled = await modelledPhase(bench, total);
    const exported = await exportPhase(bench, members);
    const file = writeResult('timers', { at: new Date().toISOString(), node: process.version, members: members.length, reminders, modelled, exported });
    log(`\nwrote ${file} (${round((Date.now() - t0) / 1000, 0)} s)`);
  } finally {
    await bench.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
