/**
 * 学时 never exceeds wall time, whatever the app, the network or a second device do. Two "devices"
 * (two concurrent callers with the same openid) run generated scripts against the real study
 * function on the emulator: starts of two lessons, heartbeats (some still in flight while the next
 * call goes out), stops, network retries of the previous call, late beats of an earlier session, and
 * a stop racing a heartbeat followed by the stop retried. The network to the database is slow for
 * session writes outside a transaction (a beat's or a start's conditional update arrives up to
 * 100 ms late), so a beat that read the session before a stop lands after it. Per member and script:
 *   - Σ credit in the ledger ≤ the wall time from the first call sent to the last reply;
 *   - the ledger holds exactly the credit the acknowledged heartbeats reported (none twice, none lost);
 *   - the consistency checker then finds no difference (no session credited above its wall time).
 * Heartbeats use real short sleeps: STUDY_BEAT_SEC=1 (beats under 0.5 s apart are refused).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import fc from 'fast-check';
import { requiredSecretNames } from '../../core/fn/secrets';
import { startEmulator, type Emulator } from '../../scripts/local-cloud';
import { createCloudBackend } from '../../emulator/admin';
import { buildFunctionsOnce } from '../setup/functions';
import { DEMO } from '../../seed';
import { STUDY_DEMO } from '../../seed/study';
import { freshDataDir } from '../setup/demo-snapshot';

const ROOT = path.join(__dirname, '..', '..');
const FUNCTIONS = path.join(ROOT, 'cloudfunctions');
const LESSONS = [STUDY_DEMO.articleLessonId, 'l-demo-article-2'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** just over the shortest gap the function accepts between two beats (STUDY_BEAT_SEC=1) */
const BEAT_GAP_MS = 560;

let emu: Emulator;
/** how late a session write outside a transaction reaches the database, for the current run */
let lagMs = 0;
const store = () => emu.backend.store as { find(c: string, q?: object, o?: object): any[]; findOne(c: string, id: string): any };

interface Reply {
  ok: boolean;
  data: any;
  error?: { code: string; message: string };
}

async function call(fn: string, openid: string, action: string, payload: unknown = {}): Promise<Reply> {
  const res = await fetch(`${emu.url}/api/functions/${fn}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
    body: JSON.stringify({ action, payload }),
  });
  const body = (await res.json()) as any;
  if (body.error) return { ok: false, data: undefined, error: body.error };
  return { ok: true, data: body.result.data };
}

type Op =
  | { k: 'start'; lesson: number }
  | { k: 'beat'; waitMs: number; playing: boolean; inflight: boolean }
  | { k: 'stop'; waitMs: number; inflight: boolean }
  /** the device re-sends its previous request, as a network retry does */
  | { k: 'retry' }
  /** a beat of an earlier session of this device arrives late */
  | { k: 'stale'; waitMs: number }
  /**
   * open the lesson again and credit `beats` beats, then stop while the next beat is on its way:
   * sent `leadMs` after the stop, retried `retries` times `spacingMs` apart (a flaky network); then
   * the stop retried
   */
  | { k: 'stopRace'; beats: number; leadMs: number; retries: number; spacingMs: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ k: fc.constant('start' as const), lesson: fc.integer({ min: 0, max: 1 }) }) },
  {
    weight: 5,
    arbitrary: fc.record({ k: fc.constant('beat' as const), waitMs: fc.integer({ min: 0, max: 700 }), playing: fc.boolean(), inflight: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('stop' as const), waitMs: fc.integer({ min: 0, max: 300 }), inflight: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('retry' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('stale' as const), waitMs: fc.integer({ min: 0, max: 300 }) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('stopRace' as const),
      beats: fc.integer({ min: 1, max: 2 }),
      leadMs: fc.integer({ min: 0, max: 40 }),
      retries: fc.integer({ min: 0, max: 2 }),
      spacingMs: fc.integer({ min: 1, max: 8 }),
    }),
  },
);

/** One device: its own idea of the current session, its previous request, its calls still in flight. */
async function runDevice(openid: string, ops: Op[], acked: { sec: number }): Promise<void> {
  const sessions: string[] = [];
  let lesson = LESSONS[0];
  let position = 0;
  const last: { req: { action: string; payload: unknown } | null } = { req: null };
  const inflight: Promise<unknown>[] = [];
  const send = (action: string, payload: unknown) => {
    last.req = { action, payload };
    return call('study', openid, action, payload).then((r) => {
      if (r.ok && action === 'beat') acked.sec += r.data.creditedSec;
      if (r.ok && action === 'start') sessions.push(r.data.sessionId);
      return r;
    });
  };
  const current = () => sessions[sessions.length - 1] ?? 'f'.repeat(24);
  const beat = (playing = true, sessionId = current()) => send('beat', { sessionId, lessonId: lesson, position: (position = Math.min(position + 1, 600)), playing });
  for (const op of ops) {
    switch (op.k) {
      case 'start':
        lesson = LESSONS[op.lesson];
        await send('start', { lessonId: lesson });
        break;
      case 'beat':
      case 'stop': {
        await sleep(op.waitMs);
        const p = op.k === 'beat' ? beat(op.playing) : send('stop', { sessionId: current() });
        if (op.inflight) inflight.push(p);
        else await p;
        break;
      }
      case 'retry':
        if (last.req) await send(last.req.action, last.req.payload);
        break;
      case 'stale':
        await sleep(op.waitMs);
        await beat(true, sessions.length > 1 ? sessions[sessions.length - 2] : current());
        break;
      case 'stopRace': {
        // credit pending in the session, then the stop and a beat on their way
        await send('start', { lessonId: lesson });
        for (let i = 0; i < op.beats; i++) {
          await sleep(BEAT_GAP_MS);
          await beat();
        }
        await sleep(BEAT_GAP_MS);
        const sid = current();
        const calls = [send('stop', { sessionId: sid })];
        await sleep(op.leadMs);
        const payload = { sessionId: sid, lessonId: lesson, position: ++position, playing: true };
        for (let i = 0; i <= op.retries; i++) {
          if (i) await sleep(op.spacingMs);
          calls.push(send('beat', payload));
        }
        await Promise.all(calls);
        await send('stop', { sessionId: sid });
        break;
      }
    }
  }
  await Promise.all(inflight);
}

const ledgerOf = (memberId: string) => store().find('study_credits', { memberId }).reduce((a: number, c: any) => a + c.seconds, 0);

beforeAll(async () => {
  process.env.STUDY_BEAT_SEC = '1';
  await buildFunctionsOnce(FUNCTIONS);
  emu = await startEmulator({
    functionsDir: FUNCTIONS,
    dataDir: freshDataDir('security-study', 'demo'),
    port: 0,
    strict: true,
    testIdentityHeader: true,
    seed: 'demo',
    secrets: requiredSecretNames(),
    triggers: false,
    h5Dir: fs.mkdtempSync(path.join(os.tmpdir(), 'security-study-noh5-')),
    log: () => undefined,
    createBackend: (o) => {
      const backend = createCloudBackend(o);
      return {
        ...backend,
        handleAdmin: async (body, meta) => {
          if (lagMs && body?.action === 'database.modifyDocument' && body.collectionName === 'study_sessions' && !body.transactionId) await sleep(lagMs);
          return backend.handleAdmin(body, meta);
        },
      };
    },
  });
});

afterAll(async () => {
  await emu?.close();
  delete process.env.STUDY_BEAT_SEC;
});

test('two devices, retries and late beats: Σ credit ≤ wall time per member, each acknowledged second credited once', async () => {
  // fresh members for every run, so each member's wall time is one script's
  const members = store()
    .find('org_members', { status: 'active', role: 'member' })
    .filter((m: any) => m.openid && m.branchId);
  const RUNS = 8;
  const PER_RUN = 3;
  const WARM = 6;
  // the example runs before the generated ones; the last few members only warm the instances up
  expect(members.length).toBeGreaterThanOrEqual((RUNS + 1) * PER_RUN + WARM);
  let next = 0;
  const used: any[] = [];
  const script = fc.record({
    a: fc.array(opArb, { minLength: 2, maxLength: 5 }).map((ops): Op[] => [{ k: 'start', lesson: 0 }, ...ops]),
    b: fc.array(opArb, { maxLength: 4 }),
  });

  /** One member's two devices; what the ledger gained, what the beats were told, the wall time. */
  async function runMember(m: any, a: Op[], b: Op[]) {
    const before = ledgerOf(m._id);
    const acked = { sec: 0 };
    const t0 = Date.now();
    await Promise.all([runDevice(m.openid, a, acked), runDevice(m.openid, b, acked)]);
    // whatever is still open is stopped, as the app closing (or the sweep) would
    const open = store().findOne('study_sessions', m.openid);
    if (open?.active) await call('study', m.openid, 'stop', { sessionId: open.sessionId });
    return { credited: ledgerOf(m._id) - before, acked: acked.sec, wall: (Date.now() - t0) / 1000 };
  }

  // warm instances, so that starting them up is not counted in anyone's wall time
  await Promise.all(members.slice(-WARM).map((m: any) => call('study', m.openid, 'lessons')));

  await fc.assert(
    // several members at once: the function's instances are shared, as in a real evening
    fc.asyncProperty(fc.array(script, { minLength: PER_RUN, maxLength: PER_RUN }), fc.integer({ min: 0, max: 100 }), async (scripts, lag) => {
      lagMs = lag;
      const ms = scripts.map(() => members[next++]);
      used.push(...ms);
      const results = await Promise.all(scripts.map((sc, i) => runMember(ms[i], sc.a, sc.b)));
      for (const r of results) {
        expect(r.credited).toBeLessThanOrEqual(r.wall);
        expect(Math.abs(r.credited - r.acked)).toBeLessThan(0.01);
      }
    }),
    {
      numRuns: RUNS,
      endOnFailure: true,
      // the reported case first: a member reads for a while, and a beat is still on its way when they
      // stop (two others only open a lesson, so nothing waits for a free instance)
      examples: [
        [
          [
            { a: [{ k: 'start', lesson: 0 }, { k: 'stopRace', beats: 3, leadMs: 0, retries: 0, spacingMs: 1 }], b: [] },
            { a: [{ k: 'start', lesson: 0 }], b: [] },
            { a: [{ k: 'start', lesson: 1 }], b: [] },
          ],
          100,
        ],
      ],
    },
  );
  lagMs = 0;

  // the nightly check sees the same: no counter off, no session credited above its wall time
  const organiser = store().find('org_members', { role: 'organiser', status: 'active' }).find((o: any) => o.openid && o.scopeId === DEMO.districtId);
  expect(organiser).toBeTruthy();
  for (const branchId of new Set(used.map((m) => m.branchId as string))) {
    const r = await call('consistency', organiser.openid, 'check', { branchId });
    expect(r.ok).toBe(true);
    expect(r.data.differences).toEqual([]);
  }
}, 300_000);
