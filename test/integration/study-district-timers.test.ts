/**
 * The study timers and export at district scale, against the emulator's data plane: live reminders
 * beyond one page of due reminders (the job used to stop at 100 a minute), the run's time budget
 * handing the rest to the next minute without sending anything twice, and the 学时台账 export beyond
 * one page of credits (it used to stop at 1,000). The export goes through the emulator's function
 * host, so the bundle's `require('exceljs')` (left out of the bundle, emulator/build-functions.ts)
 * is resolved the way a deployed instance resolves it. Throughput figures: bench/timers.ts.
 */
import fs from 'fs';
import path from 'path';
import ExcelJS from 'exceljs';
import type { Emulator } from '../../scripts/local-cloud';
import { startTestEmulator } from '../setup/emulator';
import { buildFunctionsOnce } from '../setup/functions';
import { inProcess, type InProcessCloud } from '../setup/in-process';
import { DEMO } from '../../seed';
import { yearOf } from '../../core/day';
import { LIVE_REMINDERS, sendLiveReminders, type StudyCtx } from '../../cloudfunctions/study/actions';

const FUNCTIONS = path.join(__dirname, '..', '..', 'cloudfunctions');

let emu: Emulator;
let cloud: InProcessCloud;
let db: any;

const store = () => emu.backend.store as unknown as { insertMany(c: string, d: object[]): unknown; find(c: string, q?: object): any[]; count(c: string, q?: object): number };

beforeAll(async () => {
  await buildFunctionsOnce(FUNCTIONS);
  emu = await startTestEmulator('study-scale', { functionsDir: FUNCTIONS });
  cloud = inProcess(emu);
  // the SDK in this process, pointed at the emulator by inProcess, as the function's spine uses it
  const sdk = require('wx-server-sdk');
  sdk.init({ env: sdk.DYNAMIC_CURRENT_ENV });
  db = sdk.database({ throwOnNotFound: false });
});

afterAll(async () => {
  cloud?.close();
  await emu?.close();
});

/** `n` reminders of one lesson, starting `startsInMin` from `now`. */
function reminders(lessonId: string, n: number, now: Date, startsInMin: number) {
  const startsAt = new Date(now.getTime() + startsInMin * 60_000);
  return Array.from({ length: n }, (_, i) => ({
    _id: `${lessonId}:m-${i}`,
    lessonId,
    memberId: `m-${i}`,
    openid: `o-${lessonId}-${i}`,
    title: '全区党员直播课',
    speaker: '区委党校',
    startsAt,
    sent: false,
    createdAt: now,
  }));
}

/** A WeChat stand-in: records every message it delivers; `refuse` answers a code instead. */
function sender(delayMs = 0, refuse: (openid: string) => number | null = () => null) {
  const to: string[] = [];
  const send: StudyCtx['sendSubscribe'] = async (msg) => {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const code = refuse(msg.touser);
    if (code !== null) return { ok: false, errCode: code, retry: code === 45009 };
    to.push(msg.touser);
    return { ok: true };
  };
  return { to, send };
}

test('one run reminds every viewer of a lesson far beyond one page (2,500), each once, before the start', async () => {
  const now = new Date();
  store().insertMany('study_reminders', reminders('l-big', 2500, now, 10));
  // due later than the 15 minutes: untouched; started 11 minutes ago: marked, not sent
  store().insertMany('study_reminders', reminders('l-later', 5, now, 20));
  store().insertMany('study_reminders', reminders('l-late', 3, now, -11));
  const { to, send } = sender();
  const r = await sendLiveReminders({ db, now, sendSubscribe: send });
  expect(r).toEqual({ sent: 2500, failed: 3, left: false });
  expect(to).toHaveLength(2500);
  expect(new Set(to).size).toBe(2500);
  expect(to.every((o) => o.startsWith('o-l-big-'))).toBe(true);
  expect(store().count('study_reminders', { lessonId: 'l-big', sent: true, delivered: true })).toBe(2500);
  expect(store().count('study_reminders', { lessonId: 'l-late', sent: true, delivered: false })).toBe(3);
  expect(store().count('study_reminders', { lessonId: 'l-later', sent: false })).toBe(5);
  // nothing left for the next minute
  expect(await sendLiveReminders({ db, now, sendSubscribe: send })).toEqual({ sent: 0, failed: 0, left: false });
  expect(to).toHaveLength(2500);
});

test('a reminder WeChat defers (45009) waits for the next run; one refused for good (43101) is not tried again', async () => {
  const now = new Date();
  store().insertMany('study_reminders', reminders('l-busy', 10, now, 5));
  let busy = true;
  const { to, send } = sender(0, (openid) => (openid === 'o-l-busy-3' ? 43101 : busy && openid === 'o-l-busy-6' ? 45009 : null));
  const first = await sendLiveReminders({ db, now, sendSubscribe: send });
  expect(first.left).toBe(true);
  expect(to).not.toContain('o-l-busy-6');
  expect(store().count('study_reminders', { lessonId: 'l-busy', openid: 'o-l-busy-6', sent: false })).toBe(1);
  expect(store().count('study_reminders', { lessonId: 'l-busy', openid: 'o-l-busy-3', sent: true, delivered: false })).toBe(1);
  busy = false;
  for (let i = 0; i < 5 && store().count('study_reminders', { lessonId: 'l-busy', sent: false }) > 0; i++) await sendLiveReminders({ db, now, sendSubscribe: send });
  expect(store().count('study_reminders', { lessonId: 'l-busy', sent: false })).toBe(0);
  expect(to.filter((o) => o.startsWith('o-l-busy-')).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `o-l-busy-${i}`).filter((o) => o !== 'o-l-busy-3').sort());
});

test('a run that uses up its time budget leaves the rest to the next run, and nobody is reminded twice', async () => {
  const now = new Date();
  store().insertMany('study_reminders', reminders('l-budget', 300, now, 5));
  const { to, send } = sender(15);
  // batches of 20, 4 at a time, 15 ms a message: ≈ 75 ms a batch, so a 100 ms budget ends a run
  // after a batch or two (or none, when the read alone took it)
  const limits = { ...LIVE_REMINDERS, batch: 20, concurrency: 4, budgetMs: 100 };
  const runs: Array<{ sent: number; left: boolean }> = [];
  for (let i = 0; i < 50 && !runs.some((x) => !x.left); i++) runs.push(await sendLiveReminders({ db, now, sendSubscribe: send }, limits));
  expect(runs.length).toBeGreaterThan(1);
  expect(runs[0].left).toBe(true);
  expect(runs[0].sent).toBeLessThan(300);
  expect(runs.reduce((s, x) => s + x.sent, 0)).toBe(300);
  expect(to).toHaveLength(300);
  expect(new Set(to).size).toBe(300);
  expect(store().count('study_reminders', { lessonId: 'l-budget', sent: false })).toBe(0);
});

test('the budget and the sweep after it fit the study function timeout of the deploy manifest', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cloudbaserc.json'), 'utf8'));
  const study = manifest.functions.find((f: { name: string }) => f.name === 'study');
  // the last batch finishes after the budget (100 messages, 20 at a time: ≈ 5 s at 1 s a message),
  // and the 5-minute session sweep (≤ 100 flushes) shares the tick: 15 s for both
  expect(LIVE_REMINDERS.budgetMs + 15_000).toBeLessThanOrEqual(study.timeout * 1000);
});

test('the 学时台账 export lists every credit of a branch past 1,000, in day order, through the function host', async () => {
  const year = yearOf(new Date());
  const before = store().count('study_credits', { branchId: DEMO.branchId, year });
  const extra = 2345;
  const docs = Array.from({ length: extra }, (_, i) => {
    const day = `${year}-01-${String(1 + (i % 28)).padStart(2, '0')}`;
    const id = `bulk-${i}`;
    const who = { memberId: DEMO.memberId, branchId: DEMO.branchId };
    return { _id: `offline:${id}:${DEMO.memberId}`, ...who, year, month: '01', day, source: 'offline', sourceId: id, seconds: 600, reason: `集中培训 第${i}次`, lessonId: null, by: null, at: new Date() };
  });
  store().insertMany('study_credits', docs);
  const res = await fetch(`${emu.url}/api/functions/study`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-wx-openid': DEMO.secretaryOpenid },
    body: JSON.stringify({ action: 'exportLedger', payload: {} }),
  });
  const body = (await res.json()) as any;
  expect(res.status).toBe(200);
  expect(body.result.ok).toBe(true);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(body.result.data.base64, 'base64') as any);
  const detail = wb.getWorksheet('学时明细')!;
  const rows = (detail.getSheetValues() as any[]).slice(2).filter(Boolean);
  expect(rows).toHaveLength(before + extra);
  const days = rows.map((r) => String(r[1]));
  expect(days).toEqual([...days].sort());
  const reasons = new Set(rows.map((r) => String(r[4])));
  for (const i of [0, 999, 1000, 2344]) expect(reasons.has(`集中培训 第${i}次`)).toBe(true);
});
