/**
 * Timer entry points run only when the platform started them as timers: no WeChat caller, SOURCE
 * wx_trigger (or none), and one of the function's own triggers. A member, an anonymous caller or
 * another function sending CloudBase's timer event shape gets PERMISSION_DENIED and nothing is read
 * or written; the emulator's own timer runner (marked as CloudBase marks a timer) still runs them.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { startEmulator, type Emulator } from '../../scripts/local-cloud';
import { timerEvent } from '../../emulator/triggers';
import { buildFunctionsOnce } from '../setup/functions';
import { DEMO } from '../../seed';
import { requiredSecretNames } from '../../core/fn/secrets';
import { TIMER_REFUSED_MESSAGE } from '../../core/fn/timer';
import { freshDataDir } from '../setup/demo-snapshot';

const ROOT = path.join(__dirname, '..', '..');
const FUNCTIONS = path.join(ROOT, 'cloudfunctions');
const DENIED = { code: 'PERMISSION_DENIED', message: TIMER_REFUSED_MESSAGE };

/** Every function's timer triggers, from its config.json. */
const TIMERS: Array<[string, string]> = fs
  .readdirSync(FUNCTIONS)
  .filter((fn) => fs.existsSync(path.join(FUNCTIONS, fn, 'config.json')))
  .flatMap((fn) => {
    const cfg = JSON.parse(fs.readFileSync(path.join(FUNCTIONS, fn, 'config.json'), 'utf8'));
    return (cfg.triggers ?? []).map((t: { name: string }) => [fn, t.name] as [string, string]);
  });

let emu: Emulator;

async function post(fn: string, event: unknown, openid?: string) {
  const r = await fetch(`${emu.url}/api/functions/${fn}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(openid ? { 'x-wx-openid': openid } : {}) },
    body: JSON.stringify(event),
  });
  return { status: r.status, body: (await r.json()) as any, ops: JSON.parse(r.headers.get('x-db-ops') ?? 'null') };
}

beforeAll(async () => {
  await buildFunctionsOnce(FUNCTIONS);
  emu = await startEmulator({
    functionsDir: FUNCTIONS,
    dataDir: freshDataDir('timers', 'demo'),
    port: 0,
    strict: true,
    testIdentityHeader: true,
    secrets: requiredSecretNames(),
    seed: 'demo',
    triggers: false,
    h5Dir: fs.mkdtempSync(path.join(os.tmpdir(), 'timers-noh5-')),
    log: () => undefined,
  });
});
afterAll(() => emu?.close());

test('the project has timers to guard: one per function, as CloudBase allows (study, activity, consistency)', () => {
  expect(TIMERS.map(([fn, t]) => `${fn}/${t}`).sort()).toEqual(['activity/tick', 'consistency/nightly', 'study/tick']);
});

test('the jobs a tick dispatches are not triggers of their own: their names are refused even from the platform', async () => {
  for (const [fn, job] of [['activity', 'finalise'], ['activity', 'remind'], ['study', 'liveReminders'], ['study', 'sweepSessions']]) {
    const r = await emu.host.invoke(fn, timerEvent(job), { SOURCE: 'wx_trigger' }, 'timer');
    expect(r.result).toEqual({ ok: false, error: DENIED });
    expect(r.ops.total).toBe(0);
  }
});

test.each(TIMERS)('%s/%s: a member sending the timer event is refused and nothing runs', async (fn, trigger) => {
  for (const event of [timerEvent(trigger), { Type: 'Timer', TriggerName: trigger }, { Type: 'timer', TriggerName: trigger }]) {
    const r = await post(fn, event, DEMO.memberOpenid);
    expect(r.status).toBe(403);
    expect(r.body.error).toEqual(DENIED);
    expect(r.ops).toMatchObject({ reads: 0, writes: 0, total: 0 });
  }
});

test.each(TIMERS)('%s/%s: a caller without OPENID (not the platform\'s timer) is refused and nothing runs', async (fn, trigger) => {
  const r = await post(fn, timerEvent(trigger));
  expect(r.status).toBe(403);
  expect(r.body.error).toEqual(DENIED);
  expect(r.ops).toMatchObject({ reads: 0, writes: 0, total: 0 });
});

test.each(TIMERS)('%s/%s: another function calling it with the timer event is refused', async (fn, trigger) => {
  // what cloud.callFunction from inside a timer looks like: no OPENID, SOURCE wx_trigger,scf
  const r = await emu.host.invoke(fn, timerEvent(trigger), { SOURCE: 'wx_trigger,scf' }, 'function');
  expect(r.result).toEqual({ ok: false, error: DENIED });
  expect(r.ops.total).toBe(0);
});

test('a trigger name that is not the function\'s own is refused even as a timer', async () => {
  for (const [fn, other] of [['study', 'nightly'], ['consistency', 'sweepSessions'], ['activity', 'toString']]) {
    const r = await emu.host.invoke(fn, timerEvent(other), { SOURCE: 'wx_trigger' }, 'timer');
    expect(r.result).toEqual({ ok: false, error: DENIED });
    expect(r.ops.total).toBe(0);
  }
});

test.each(TIMERS)('%s/%s: the platform\'s timer still runs it', async (fn, trigger) => {
  const r = await emu.fireTrigger(fn, trigger);
  expect(r.result).not.toEqual({ ok: false, error: DENIED });
  expect((r.result as any)?.ok).not.toBe(false);
  expect(r.ops.total).toBeGreaterThan(0);
});
