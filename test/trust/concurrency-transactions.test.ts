/**
 * Every product transaction under contention, on the emulator whose transactions behave as
 * CloudBase's do: a write to a document another transaction holds fails at that write, and
 * wx-server-sdk's runTransaction does not retry it (test/emulator/sdk-contract.test.ts pins that).
 * Many callers hit the same documents at the same moment; nobody may see INTERNAL, and the stored
 * counters must equal what the callers did:
 *   - the quiz's daily set, chosen by whoever opens the quiz first (everyone opening it at once);
 *   - points awards: the whole branch submitting at once, each member with a double tap;
 *   - org: applications through one invite (its `uses` counter) and their approvals (its `joined`).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { startEmulator, type Emulator } from '../../scripts/local-cloud';
import { linkFunctions } from '../setup/functions';
import { DEMO } from '../../seed';
import { dayOf } from '../../core/day';
import { freshDataDir } from '../setup/demo-snapshot';

let emu: Emulator;

interface Reply {
  status: number;
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
  const body = JSON.parse(await res.text());
  if (body.error) return { status: res.status, ok: false, data: undefined, error: body.error };
  return { status: res.status, ok: true, data: body.result.data };
}

const store = () =>
  emu.backend.store as {
    find(coll: string, q?: object, o?: object): any[];
    findOne(coll: string, id: string): any;
    count(coll: string, q?: object): number;
    remove(coll: string, q: object, o?: { multi?: boolean }): number;
  };

/** A report of every failed reply, so a failure says which caller saw what. */
const failures = (replies: Reply[]) => replies.filter((r) => !r.ok).map((r) => `${r.status} ${r.error?.code}: ${r.error?.message}`);

let members: { _id: string; openid: string }[] = [];

beforeAll(async () => {
  const fnDir = await linkFunctions('concurrency', ['quiz', 'points', 'org']);
  emu = await startEmulator({
    functionsDir: fnDir,
    dataDir: freshDataDir('concurrency', 'demo'),
    port: 0,
    strict: true,
    testIdentityHeader: true,
    seed: 'demo',
    triggers: false,
    pool: 4,
    h5Dir: fs.mkdtempSync(path.join(os.tmpdir(), 'concurrency-noh5-')),
    log: () => undefined,
  });
  // a district whose quiz has not run yet: today's set is chosen by the first to open it
  store().remove('quiz_sets', {}, { multi: true });
  store().remove('quiz_config', {}, { multi: true });
  members = store()
    .find('org_members', { branchId: DEMO.branchId, status: 'active' })
    .filter((m) => typeof m.openid === 'string' && m.openid)
    .slice(0, 12);
}, 120_000);

afterAll(async () => {
  await emu?.close();
});

describe('transactions under contention', () => {
  let questions: { id: string }[] = [];

  test('the whole branch opens the quiz at the same moment: one set, nobody sees INTERNAL', async () => {
    expect(members.length).toBeGreaterThanOrEqual(8);
    const replies = await Promise.all(members.map((m) => call('quiz', m.openid, 'today')));
    expect(failures(replies)).toEqual([]);
    const sets = new Set(replies.map((r) => JSON.stringify(r.data.questions.map((q: any) => q.id))));
    expect(sets.size).toBe(1);
    expect(store().count('quiz_sets', { materialised: true })).toBe(1);
    questions = replies[0].data.questions;
    expect(questions.length).toBeGreaterThan(0);
  });

  test('everyone submits at once, each with a double tap: one award each, totals add up', async () => {
    const before = new Map(members.map((m) => [m._id, store().findOne('org_members', m._id).pointsTotal ?? 0]));
    const answers = questions.map((q) => ({ questionId: q.id, choice: store().findOne('quiz_questions', q.id).answer }));
    const replies = await Promise.all(
      members.flatMap((m) => [0, 1].map(() => call('quiz', m.openid, 'submit', { day: dayOf(new Date()), answers }))),
    );
    expect(failures(replies)).toEqual([]);
    for (const m of members) {
      const entries = store().find('points_ledger', { memberId: m._id, 'source.type': 'quiz', day: dayOf(new Date()) });
      expect(entries).toHaveLength(1);
      const after = store().findOne('org_members', m._id).pointsTotal ?? 0;
      expect(after - before.get(m._id)).toBe(entries[0].points);
    }
  });

  test('applications through one invite and their approvals at once: every counter counts each once', async () => {
    const code = (await call('org', DEMO.secretaryOpenid, 'createInvite', {})).data.code as string;
    const people = Array.from({ length: 6 }, (_, i) => ({ openid: `o-rush-${i}`, name: `赵明${'一二三四五六'[i]}`, phone: `1990000${String(7100 + i)}` }));
    const applied = await Promise.all(people.map((p) => call('org', p.openid, 'apply', { code, name: p.name, phone: p.phone })));
    expect(failures(applied)).toEqual([]);
    expect(store().findOne('org_invites', code).uses).toBe(people.length);

    const ids = applied.map((r) => r.data.application.id as string);
    const approved = await Promise.all(
      ids.flatMap((applicationId) => [0, 1].map(() => call('org', DEMO.secretaryOpenid, 'reviewApplication', { applicationId, decision: 'approve' }))),
    );
    expect(failures(approved)).toEqual([]);
    expect(store().findOne('org_invites', code).joined).toBe(people.length);
    for (const p of people) {
      expect(store().count('org_members', { phone: p.phone })).toBe(1);
      expect(store().findOne('org_bindings', p.openid)).not.toBeNull();
    }
  });
});
