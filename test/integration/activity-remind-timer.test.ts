/**
 * The activity reminder timer at district scale, against the emulator's data plane: 200 activities ×
 * 25 members due at once go out in one run (it used to send 100 a minute: 50 minutes for these),
 * each once; a "not now" refusal (45009) stays queued and goes out at the next tick, while a refusal
 * for good (43101: no grant) and a reminder too late to help are marked and never tried again; the
 * time budget hands the rest to the next tick without sending anything twice.
 */
import type { Emulator } from '../../scripts/local-cloud';
import { startTestEmulator } from '../setup/emulator';
import { linkFunctions } from '../setup/functions';
import { inProcess, type InProcessCloud } from '../setup/in-process';
import { ACTIVITY_REMINDERS, runRemindTimer } from '../../cloudfunctions/activity/actions';
import type { ActivityCtx } from '../../cloudfunctions/activity/context';

const MIN = 60_000;

let emu: Emulator;
let cloud: InProcessCloud;
let db: any;

const store = () => emu.backend.store as unknown as { insertMany(c: string, d: object[]): unknown; find(c: string, q?: object): any[]; findOne(c: string, id: string): any };

beforeAll(async () => {
  const fnDir = await linkFunctions('remind-timer', ['activity']);
  emu = await startTestEmulator('remind-timer', { functionsDir: fnDir });
  cloud = inProcess(emu);
  // the SDK in this process, pointed at the emulator by inProcess, as the function's spine uses it
  const sdk = require('wx-server-sdk');
  sdk.init({ env: sdk.DYNAMIC_CURRENT_ENV });
  db = sdk.database({ throwOnNotFound: false });
}, 120_000);

afterAll(async () => {
  cloud?.close();
  await emu?.close();
});

/** `members` reminders for each of `activities` activities starting `startsInMin` from `now`. */
function subs(tag: string, activities: number, members: number, now: Date, startsInMin: number) {
  const startAt = new Date(now.getTime() + startsInMin * MIN);
  const remindAt = new Date(startAt.getTime() - 60 * MIN);
  return Array.from({ length: activities * members }, (_x, i) => {
    const a = `${tag}-a${Math.floor(i / members)}`;
    return { _id: `${a}:m${i % members}`, activityId: a, memberId: `m${i % members}`, openid: `o-${tag}-${i}`, remindAt, startAt, title: '主题党日', place: '党群服务中心', sent: false, createdAt: now };
  });
}

/** A WeChat stand-in: answers by openid, records every send. */
function wechat(answer: (openid: string) => 'ok' | number | 'throw45009' = () => 'ok', delayMs = 0) {
  const to: string[] = [];
  const ctx = (now: Date): ActivityCtx =>
    ({
      db,
      now,
      env: {},
      cloud: {
        openapi: {
          subscribeMessage: {
            send: async (o: { touser: string }) => {
              if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
              to.push(o.touser);
              const a = answer(o.touser);
              // wx-server-sdk throws on a refusal; an answer with a code is handled the same
              if (a === 'throw45009') throw Object.assign(new Error('openapi.subscribeMessage.send:fail'), { errCode: 45009 });
              if (typeof a === 'number') throw Object.assign(new Error('openapi.subscribeMessage.send:fail'), { errCode: a });
              return { errCode: 0, errMsg: 'openapi.subscribeMessage.send:ok' };
            },
          },
        },
      },
    }) as unknown as ActivityCtx;
  return { to, ctx };
}

test('200 activities × 25 members due together go out in one run, each once', async () => {
  const now = new Date();
  store().insertMany('activity_subs', subs('big', 200, 25, now, 30));
  // not due yet: untouched
  store().insertMany('activity_subs', subs('later', 1, 5, now, 120));
  const w = wechat();
  const t0 = Date.now();
  const r = await runRemindTimer(w.ctx(now));
  expect(r).toEqual({ sent: 5000, failed: 0, retry: 0, left: false });
  expect(w.to).toHaveLength(5000);
  expect(new Set(w.to).size).toBe(5000);
  expect(store().find('activity_subs', { activityId: 'big-a0' }).every((s) => s.sent === true && s.delivered === true)).toBe(true);
  expect(store().find('activity_subs', { activityId: 'later-a0' }).every((s) => s.sent === false)).toBe(true);
  // a second run finds nothing due
  const again = await runRemindTimer(w.ctx(now));
  expect(again).toEqual({ sent: 0, failed: 0, retry: 0, left: false });
  expect(w.to).toHaveLength(5000);
  process.stdout.write(`activity reminders: 5,000 in ${Date.now() - t0} ms\n`);
}, 120_000);

test('45009 stays queued for the next tick; 43101 and a reminder too late are marked and never retried', async () => {
  const now = new Date();
  store().insertMany('activity_subs', subs('limit', 1, 6, now, 30));
  store().insertMany('activity_subs', subs('late', 1, 2, now, -11));
  // members 0–1: frequency limit (thrown), 2: no grant, 3: frequency limit (answered), the rest fine
  const answer = (openid: string) => {
    const i = Number(openid.split('-').pop());
    if (!openid.startsWith('o-limit-')) return 'ok' as const;
    return i < 2 ? ('throw45009' as const) : i === 2 ? 43101 : i === 3 ? 45009 : ('ok' as const);
  };
  const w = wechat(answer);
  const r = await runRemindTimer(w.ctx(now));
  expect(r).toEqual({ sent: 2, failed: 3, retry: 3, left: false });
  // the late ones were not sent at all
  expect(w.to.filter((o) => o.startsWith('o-late-'))).toEqual([]);
  const doc = (i: number) => store().findOne('activity_subs', `limit-a0:m${i}`);
  expect(doc(0)).toMatchObject({ sent: false, retries: 1 });
  expect(new Date(doc(0).remindAt).getTime()).toBe(now.getTime() + ACTIVITY_REMINDERS.retryMs);
  expect(doc(2)).toMatchObject({ sent: true, delivered: false, errCode: 43101 });
  expect(doc(3)).toMatchObject({ sent: false, retries: 1 });
  expect(store().findOne('activity_subs', 'late-a0:m0')).toMatchObject({ sent: true, delivered: false, errCode: 'late' });

  // the same minute again: nothing is due (the refused-for-now ones wait for the next tick)
  expect(await runRemindTimer(w.ctx(now))).toEqual({ sent: 0, failed: 0, retry: 0, left: false });
  // the next tick: WeChat accepts now; 43101 is not asked again
  const ok = wechat();
  const next = await runRemindTimer(ok.ctx(new Date(now.getTime() + MIN)));
  expect(next).toEqual({ sent: 3, failed: 0, retry: 0, left: false });
  expect(ok.to.sort()).toEqual(['o-limit-0', 'o-limit-1', 'o-limit-3']);
  expect(doc(0)).toMatchObject({ sent: true, delivered: true });
  expect(doc(2)).toMatchObject({ errCode: 43101 });
}, 60_000);

test('the time budget hands the rest to the next tick, nothing sent twice', async () => {
  const now = new Date();
  store().insertMany('activity_subs', subs('budget', 3, 100, now, 30));
  const w = wechat(() => 'ok', 5);
  const limits = { ...ACTIVITY_REMINDERS, budgetMs: 1 };
  const first = await runRemindTimer(w.ctx(now), limits);
  // the first batch goes out whatever the budget
  expect(first).toEqual({ sent: 100, failed: 0, retry: 0, left: true });
  let total = first.sent;
  for (let k = 0; k < 5 && total < 300; k++) total += (await runRemindTimer(w.ctx(now), limits)).sent;
  expect(total).toBe(300);
  expect(new Set(w.to).size).toBe(300);
  expect(w.to).toHaveLength(300);
}, 60_000);
