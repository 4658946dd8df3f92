import fs from 'fs';
import os from 'os';
import path from 'path';
import { startEmulator, type Emulator } from '../../emulator/server';
import { nextRuns, parseCloudbaseCron, timerEvent } from '../../emulator/triggers';

const FUNCTIONS = path.join(__dirname, '..', 'fixtures', 'functions');

describe('CloudBase 7-field cron', () => {
  test('splits off the year field and hands croner the other six', () => {
    expect(parseCloudbaseCron('0 0 3 * * * *')).toEqual({ croner: '0 0 3 * * *', years: null });
    expect(parseCloudbaseCron('0 30 8 ? * MON-FRI *').croner).toBe('0 30 8 * * MON-FRI');
    expect([...parseCloudbaseCron('0 0 0 1 1 * 2026,2028-2029').years!]).toEqual([2026, 2028, 2029]);
  });

  test('rejects anything that is not 7 valid fields', () => {
    expect(() => parseCloudbaseCron('0 0 3 * * *')).toThrow(/7 fields/);
    expect(() => parseCloudbaseCron('0 0 25 * * * *')).toThrow();
    expect(() => parseCloudbaseCron('0 0 3 * * * next')).toThrow(/year/);
  });

  test('schedules in Asia/Shanghai time', () => {
    // 03:00 in Shanghai is 19:00 UTC the day before
    const runs = nextRuns('0 0 3 * * * *', 2, new Date('2026-03-01T00:00:00Z'));
    expect(runs.map((d) => d.toISOString())).toEqual(['2026-03-01T19:00:00.000Z', '2026-03-02T19:00:00.000Z']);
    // every Monday 08:00 Shanghai = Monday 00:00 UTC
    const monday = nextRuns('0 0 8 * * 1 *', 1, new Date('2026-03-04T00:00:00Z'))[0];
    expect(monday.toISOString()).toBe('2026-03-09T00:00:00.000Z');
  });

  test('the year field is honoured', () => {
    const runs = nextRuns('0 0 0 1 1 * 2030', 3, new Date('2026-06-01T00:00:00Z'));
    expect(runs.map((d) => d.toISOString())).toEqual(['2029-12-31T16:00:00.000Z']);
    expect(nextRuns('0 0 0 1 1 * 2020', 1, new Date('2026-06-01T00:00:00Z'))).toEqual([]);
  });

  test('the event has CloudBase’s timer shape', () => {
    expect(timerEvent('nightly', new Date('2026-03-01T19:00:00.123Z'))).toEqual({
      Type: 'Timer',
      TriggerName: 'nightly',
      Time: '2026-03-01T19:00:00Z',
      Message: '',
    });
  });
});

describe('timer triggers on the emulator', () => {
  let emu: Emulator;

  afterEach(() => emu?.close());

  test('fires on schedule with an empty identity, and not when disabled', async () => {
    emu = await startEmulator({
      functionsDir: FUNCTIONS,
      dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'trig-')),
      port: 0,
      triggers: true,
      log: () => undefined,
    });
    expect(emu.scheduled.map((t) => `${t.fn}/${t.trigger.name}`).sort()).toEqual([
      'sample/nightly',
      'ticker/everySecond',
    ]);
    // two ticks a second apart, after the ticker's cold start: longer on a busy machine
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && emu.backend.store.count('ticker_ticks', {}) < 2) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const ticks = emu.backend.store.find('ticker_ticks', {});
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks[0]).toMatchObject({ type: 'Timer', trigger: 'everySecond' });
    expect(emu.triggers.fired.every((f) => f.trigger === 'everySecond')).toBe(true);
    await emu.close();

    emu = await startEmulator({
      functionsDir: FUNCTIONS,
      dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'trig-off-')),
      port: 0,
      triggers: false,
      log: () => undefined,
    });
    expect(emu.scheduled).toEqual([]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(emu.triggers.fired).toEqual([]);
  });

  test('POST /api/dev/triggers/<fn>/<trigger> fires one now, marked as CloudBase marks a timer', async () => {
    emu = await startEmulator({
      functionsDir: FUNCTIONS,
      dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'trig-dev-')),
      port: 0,
      dev: true,
      triggers: false,
      log: () => undefined,
    });
    const r = await fetch(`${emu.url}/api/dev/triggers/sample/nightly`, { method: 'POST' });
    expect(r.status).toBe(200);
    const body = await r.json();
    // no WeChat user; getWXContext().SOURCE is wx_trigger (云函数定时触发器调用)
    expect(body.result).toMatchObject({ ticked: 'nightly', openid: null, source: 'wx_trigger' });
    expect(body.result.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(body.ops.writes).toBe(1);
    expect(emu.backend.store.find('sample_ticks', {})).toHaveLength(1);

    const direct = await emu.fireTrigger('sample', 'nightly');
    expect(direct.result).toMatchObject({ ticked: 'nightly' });
    const missing = await fetch(`${emu.url}/api/dev/triggers/sample/nope`, { method: 'POST' });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.message).toBe('没有这个定时触发器：sample/nope');
  });
});
