/**
 * Hostile input: every action of every cloud function gets generated garbage over real HTTP — wrong
 * types, huge strings, deep objects, prototype-pollution keys, smuggled query operators, invalid
 * dates, emoji, RTL text, null bytes — both as whole payloads and as one bad field inside an
 * otherwise plausible payload (built from the action's own zod input), plus garbage in the action
 * name and in the event itself. Every reply must be a correct result or a clear 4xx; afterwards
 * every read still works, no stored document carries an operator or prototype key, and nothing
 * leaked into Object.prototype.
 *
 * Every property has a fixed seed derived from HOSTILE_SEED and its name. A failure prints fast-check's
 * `{ seed, path }`; replay just that case with
 *   HOSTILE_REPLAY='{"seed":<seed>,"path":"<path>"}' npx jest test/trust/hostile-input -t '<test name>'
 * HOSTILE_RUNS sets the runs per action and generator (default 12, about half a minute here;
 * HOSTILE_RUNS=100 for a deeper run), HOSTILE_SEED another set of cases.
 */
import fs from 'fs';
import path from 'path';
import fc from 'fast-check';
import { allActions, FUNCTION_TABLES, HOME, startTrustHarness, type CallerKind, type Harness } from './harness';
import { callRaw, post, replyProblems, badKeys, type RawReply } from './hostile/check';
import { fieldPaths, objectShape, samplePayload, schemaAt, setPath, typedHostile, type IdPool } from './hostile/shape';
import { garbagePayload, hostileActionName, hostileValue, HOSTILE_KEYS, objectFrom, RAW_BODIES } from './hostile/values';
import type { Audience } from '../../core/fn/router';

const RUNS = Number(process.env.HOSTILE_RUNS ?? 12);
const SEED = Number(process.env.HOSTILE_SEED ?? 20241101);
const OUT_FILE = path.join(__dirname, '..', '..', 'test-output', 'hostile-input.json');

const actions = allActions();

/** The kinds of caller the audience gate lets through, so garbage reaches validation and the handler. */
const KIND_FOR: Record<Audience, CallerKind> = { guest: 'member', member: 'member', secretary: 'secretary', organiser: 'organiser' };
const kindsFor = (allow: readonly Audience[]) => [...new Set(allow.map((a) => KIND_FOR[a]))];

/** A stable per-action seed, so one action's failure replays without running the others. */
const seedOf = (key: string) => [...key].reduce((s, c) => (s * 31 + c.charCodeAt(0)) | 0, SEED);
const REPLAY: { seed: number; path: string } | null = process.env.HOSTILE_REPLAY ? JSON.parse(process.env.HOSTILE_REPLAY) : null;
/** fast-check settings of one property: its own seed, or the case being replayed. */
const settings = (key: string) => ({ numRuns: RUNS, endOnFailure: true, ...(REPLAY ?? { seed: seedOf(key) }) });

interface Tally {
  key: string;
  kinds: CallerKind[];
  garbage: number;
  mutation: number;
  ok: number;
  /** replies refused by the zod input check; the rest reached the handler */
  zodRefused: number;
  codes: Record<string, number>;
  maxMs: number;
  /** the plausible payload passes the action's own zod input, so mutations reach the handler */
  baselineValid: boolean;
}
const tallies = new Map<string, Tally>();
const tally = (key: string) => tallies.get(key)!;
const events: { label: string; runs: number }[] = [];

function record(t: Tally, r: RawReply) {
  t.maxMs = Math.max(t.maxMs, Math.round(r.ms));
  if (r.status === 200) t.ok++;
  else {
    const code = r.body?.error?.code ?? `HTTP ${r.status}`;
    t.codes[code] = (t.codes[code] ?? 0) + 1;
    if (code === 'INVALID_ARGUMENT' && r.body?.error?.details?.issues) t.zodRefused++;
  }
}

function expectFine(r: RawReply, what: () => string) {
  const p = replyProblems(r);
  if (p.length) throw new Error(`${what()}\n  → ${p.join('\n  → ')}`);
}

/** JSON text for an event, or null when the value cannot be serialised (then the client could not send it either). */
function jsonOf(event: unknown): string | null {
  try {
    return JSON.stringify(event) ?? null;
  } catch {
    return null;
  }
}

const short = (v: unknown) => {
  const s = jsonOf(v) ?? String(v);
  return s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s;
};

let h: Harness;
let pools: Record<string, IdPool>;
/** replies of the read sweep before any garbage was sent */
let before: Map<string, RawReply>;

function idPools(): Record<string, IdPool> {
  const s = h.store;
  const homeMembers = s
    .find('org_members', { branchId: HOME.branchId, status: 'active' }, { sort: { _id: 1 } })
    .map((m) => m._id as string)
    // never a caller: a successful move or role change would change who the callers are
    .filter((id) => !Object.values(h.callers).some((c) => c.memberId === id));
  const activity = s.find('activity_items', { hostBranchId: HOME.branchId, status: 'published' }, { sort: { _id: 1 } })[0]?._id;
  const lesson = s.find('study_lessons', { kind: 'video' }, { sort: { _id: 1 } })[0]?._id ?? s.find('study_lessons', {})[0]?._id;
  const question = s.find('quiz_questions', { status: 'active' }, { sort: { _id: 1 } })[0]?._id;
  const application = s.find('org_applications', { status: 'pending' }, { sort: { _id: 1 } })[0]?._id;
  const common: Record<string, string | undefined> = {
    memberId: homeMembers[0],
    memberIds: homeMembers[1],
    member: homeMembers[1],
    branchId: HOME.branchId,
    toBranchId: HOME.otherBranchId,
    jointBranchIds: HOME.otherBranchId,
    jointBranchId: HOME.otherBranchId,
    parentId: HOME.streetId,
    groupId: `${HOME.branchId}-g1`,
    lessonId: lesson,
    makeUpLessonId: lesson,
    questionId: question,
    questionIds: question,
    questionId_: question,
    applicationId: application,
    code: 'JSXY6789',
  };
  const byFn: Record<string, Record<string, string | undefined>> = {
    activity: { id: activity },
    quiz: { id: question },
  };
  return Object.fromEntries(
    Object.keys(FUNCTION_TABLES).map((fn) => [
      fn,
      { fn, pick: (key: string) => byFn[fn]?.[key] ?? common[key] } satisfies IdPool,
    ]),
  );
}

/** Reads that must keep answering after the garbage: [fn, action, payload, kind]. */
function sweepCalls(): Array<[string, string, unknown, CallerKind]> {
  const calls: Array<[string, string, unknown, CallerKind]> = [
    ['org', 'me', {}, 'member'],
    ['org', 'me', {}, 'secretary'],
    ['org', 'me', {}, 'organiser'],
    ['org', 'listMembers', {}, 'secretary'],
    ['org', 'listMembers', { branchId: HOME.branchId }, 'organiser'],
    ['org', 'listInvites', {}, 'secretary'],
    ['org', 'listApplications', {}, 'secretary'],
    ['org', 'children', {}, 'member'],
    ['org', 'memberHistory', { memberId: h.callers.member.memberId }, 'member'],
    ['points', 'history', {}, 'member'],
    ['points', 'history', {}, 'secretary'],
    ['points', 'rules', {}, 'member'],
    ['points', 'rules', {}, 'organiser'],
    ['quiz', 'today', {}, 'member'],
    ['quiz', 'today', {}, 'secretary'],
    ['quiz', 'wrongBook', {}, 'member'],
    ['quiz', 'tags', {}, 'member'],
    ['quiz', 'rankMembers', {}, 'member'],
    ['quiz', 'rankBranches', {}, 'member'],
    ['quiz', 'branchToday', {}, 'secretary'],
    ['quiz', 'branchToday', { branchId: HOME.branchId }, 'organiser'],
    ['quiz', 'bankStatus', {}, 'organiser'],
    ['quiz', 'listQuestions', {}, 'organiser'],
    ['quiz', 'listQuestions', { status: 'retired' }, 'organiser'],
    ['study', 'lessons', {}, 'member'],
    ['study', 'progress', {}, 'member'],
    ['study', 'progress', {}, 'secretary'],
    ['study', 'branchTable', {}, 'secretary'],
    ['study', 'branchTable', { branchId: HOME.branchId }, 'organiser'],
    ['study', 'listOffline', {}, 'secretary'],
    ['study', 'orgRates', {}, 'organiser'],
    ['activity', 'list', {}, 'member'],
    ['activity', 'list', { manage: true }, 'secretary'],
    ['activity', 'myMakeUps', {}, 'member'],
  ];
  // Every stored activity of the home branch and every lesson, one by one.
  for (const a of h.store.find('activity_items', { hostBranchId: HOME.branchId })) {
    calls.push(['activity', 'get', { id: a._id }, 'secretary'], ['activity', 'roster', { id: a._id }, 'secretary']);
    if (a.status === 'published') calls.push(['activity', 'get', { id: a._id }, 'member']);
  }
  for (const l of h.store.find('study_lessons', {})) calls.push(['study', 'lesson', { lessonId: l._id }, 'member']);
  return calls;
}

async function sweep(): Promise<Map<string, RawReply>> {
  const out = new Map<string, RawReply>();
  for (const [fn, action, payload, kind] of sweepCalls()) {
    out.set(`${kind} ${fn}.${action} ${JSON.stringify(payload)}`, await callRaw(h, fn, { action, payload }, h.callers[kind].openid));
  }
  return out;
}

beforeAll(async () => {
  h = await startTrustHarness();
  pools = idPools();
  before = await sweep();
  for (const a of actions) {
    const def = FUNCTION_TABLES[a.fn][a.action];
    const base = samplePayload(def.input, pools[a.fn]);
    tallies.set(a.key, {
      key: a.key,
      kinds: kindsFor(a.allow),
      garbage: 0,
      mutation: 0,
      ok: 0,
      zodRefused: 0,
      codes: {},
      maxMs: 0,
      baselineValid: def.input.safeParse(base).success,
    });
  }
});

afterAll(async () => {
  const rows = [...tallies.values()];
  const total = rows.reduce((s, t) => s + t.garbage + t.mutation, 0) + events.reduce((s, e) => s + e.runs, 0);
  const report = {
    seed: SEED,
    runsPerGenerator: RUNS,
    total,
    actions: rows.map((t) => ({ ...t, cases: t.garbage + t.mutation })),
    events,
  };
  // a filtered or replayed run (jest -t) keeps the last full report
  if (total > 0 && !REPLAY) {
    fs.mkdirSync(path.dirname(OUT_FILE), { recursive: true });
    fs.writeFileSync(OUT_FILE, JSON.stringify(report, null, 2) + '\n');
  }
  const table = [
    'action                        kinds                 garbage  mutation  ok    4xx  handler  max ms  baseline',
    ...rows.map(
      (t) =>
        `${t.key.padEnd(30)}${t.kinds.join(',').padEnd(22)}${String(t.garbage).padStart(7)}${String(t.mutation).padStart(10)}` +
        `${String(t.ok).padStart(5)}${String(t.garbage + t.mutation - t.ok).padStart(6)}${String(t.garbage + t.mutation - t.zodRefused).padStart(9)}` +
        `${String(t.maxMs).padStart(8)}  ${t.baselineValid ? 'valid' : '-'}`,
    ),
    ...events.map((e) => `${e.label.padEnd(52)}${String(e.runs).padStart(7)}`),
    `total cases: ${total} (seed ${SEED}, ${RUNS} runs per action and generator) → ${path.relative(process.cwd(), OUT_FILE)}`,
  ];
  console.log(table.join('\n'));
  await h?.close();
});

describe.each(actions.map((a) => [a.key, a] as const))('%s', (key, a) => {
  const def = FUNCTION_TABLES[a.fn][a.action];
  const kinds = kindsFor(a.allow);
  const ownKeys = Object.keys(objectShape(def.input) ?? {});

  test('answers garbage payloads with a result or a clear 4xx', async () => {
    const t = tally(key);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...kinds), garbagePayload(ownKeys), fc.boolean(), async (kind, payload, extra) => {
        const event = extra ? objectFrom([['action', a.action], ['payload', payload], ['__proto__', { polluted: 'yes' }]]) : { action: a.action, payload };
        const body = jsonOf(event);
        if (body === null) return;
        const r = await post(h, a.fn, body, h.callers[kind].openid);
        t.garbage++;
        record(t, r);
        expectFine(r, () => `${kind} → ${key} ${short(payload)}`);
      }),
      settings(`${key}:garbage`),
    );
    expect(t.garbage).toBeGreaterThan(0);
  });

  test('answers a plausible payload with hostile fields with a result or a clear 4xx', async () => {
    const t = tally(key);
    const paths = fieldPaths(def.input);
    const base = samplePayload(def.input, pools[a.fn]);
    const mutation = fc.record({
      kind: fc.constantFrom(...kinds),
      // One or two fields replaced: by garbage of any type, by a hostile value of the field's own
      // type (so it gets past the type check to the handler), or removed.
      fields: paths.length
        ? fc.array(
            fc.constantFrom(...paths).chain((p) =>
              fc.tuple(
                fc.constant(p),
                fc.oneof(
                  { weight: 4, arbitrary: hostileValue },
                  { weight: 5, arbitrary: typedHostile(schemaAt(def.input, p) ?? def.input) },
                  { weight: 1, arbitrary: fc.constant(undefined) },
                ),
              ),
            ),
            { minLength: 1, maxLength: 2 },
          )
        : fc.constant([] as [string[], unknown][]),
      extras: fc.oneof(
        { weight: 3, arbitrary: fc.constant([] as [string, unknown][]) },
        { weight: 1, arbitrary: fc.array(fc.tuple(fc.constantFrom<string>(...HOSTILE_KEYS), hostileValue), { minLength: 1, maxLength: 2 }) },
      ),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ kind, fields, extras }) => {
        let payload: unknown = base;
        for (const [p, v] of fields) payload = setPath(payload, p, v);
        for (const [k, v] of extras) payload = setPath(payload, [k], v);
        const body = jsonOf({ action: a.action, payload });
        if (body === null) return;
        const r = await post(h, a.fn, body, h.callers[kind].openid);
        t.mutation++;
        record(t, r);
        expectFine(r, () => `${kind} → ${key} ${short(payload)}`);
      }),
      settings(`${key}:mutation`),
    );
    expect(t.mutation).toBeGreaterThan(0);
  });
});

describe.each(Object.keys(FUNCTION_TABLES))('the %s function', (fn) => {
  test('answers garbage action names with UNKNOWN_ACTION or a clear 4xx', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(hostileActionName, hostileValue, fc.constantFrom<CallerKind>('member', 'secretary', 'organiser', 'unknown'), async (name, payload, kind) => {
        const body = jsonOf({ action: name, payload });
        if (body === null) return;
        const r = await post(h, fn, body, h.callers[kind].openid);
        runs++;
        expectFine(r, () => `${kind} → ${fn} action ${short(name)}`);
        const real = typeof name === 'string' && Object.prototype.hasOwnProperty.call(FUNCTION_TABLES[fn], name);
        // (the gateway itself refuses an oversized or over-deep event before any action is looked up)
        if (!real && r.ops) expect(r.body.error?.code).toBe('UNKNOWN_ACTION');
      }),
      settings(`${fn}:action`),
    );
    events.push({ label: `${fn}: garbage action names`, runs });
  });

  test('answers malformed events and bodies with a clear 4xx', async () => {
    const wrong: string[] = [];
    for (const { label, body } of RAW_BODIES) {
      for (const openid of [h.callers.member.openid, null]) {
        const r = await post(h, fn, body, openid);
        const p = replyProblems(r);
        // Two of them are valid calls of `me` once parsed (when the function has one); a forged
        // userInfo must never stand in for the identity the gateway vouches for.
        const fine = label === '__proto__ event' || label === 'userInfo forged';
        if (r.status === 200 && !(fine && openid)) p.push('accepted');
        if (r.status === 200 && fn === 'org' && r.body.result?.data?.openid !== openid) p.push(`answered as ${r.body.result?.data?.openid}`);
        if (!openid && !['UNAUTHENTICATED', 'INVALID_ARGUMENT', 'RESOURCE_EXHAUSTED', 'UNKNOWN_ACTION'].includes(r.body?.error?.code)) {
          p.push(`without identity: ${r.body?.error?.code ?? r.status}`);
        }
        if (p.length) wrong.push(`${label} (${openid ? 'member' : 'no identity'}): ${p.join('; ')}`);
      }
    }
    events.push({ label: `${fn}: malformed events`, runs: RAW_BODIES.length * 2 });
    expect(wrong).toEqual([]);
  });
});

describe('after the garbage', () => {
  test('every read that answered before still answers, and every stored record can be read', async () => {
    const after = await sweep();
    const wrong: string[] = [];
    for (const [k, r] of after) {
      const p = replyProblems(r);
      const was = before.get(k);
      if (was?.status === 200 && r.status !== 200) p.push(`answered before, now ${r.status} ${r.body?.error?.code} ${r.body?.error?.message}`);
      // A record the garbage created must be readable (or cleanly refused), never a crash.
      if (p.length) wrong.push(`${k}: ${p.join('; ')}`);
    }
    expect(wrong).toEqual([]);
  });

  test('no stored document has an operator or prototype key', () => {
    const store = h.emu.backend.store as unknown as { listCollections(): string[] };
    const bad: string[] = [];
    for (const coll of store.listCollections()) {
      for (const doc of h.store.find(coll, {})) {
        for (const k of badKeys(doc)) bad.push(`${coll}/${doc._id}: ${k}`);
      }
    }
    expect(bad).toEqual([]);
  });

  test('nothing leaked into the prototypes of this process or the functions', async () => {
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as any).polluted).toBeUndefined();
    expect(Object.keys(Array.prototype)).toEqual([]);
    // In the function instances: identity, role and the audience gate still behave.
    const me = await callRaw(h, 'org', { action: 'me', payload: {} }, h.callers.member.openid);
    expect(me.status).toBe(200);
    expect(me.body.result.data.member.role).toBe('member');
    expect(me.body.result.data.polluted).toBeUndefined();
    const stranger = await callRaw(h, 'org', { action: 'me', payload: {} }, h.callers.unknown.openid);
    expect(stranger.body.result.data.member).toBeNull();
    const denied = await callRaw(h, 'org', { action: 'listInvites', payload: {} }, h.callers.member.openid);
    expect(denied.body.error?.code).toBe('PERMISSION_DENIED');
    const unknown = await callRaw(h, 'quiz', { action: 'polluted', payload: {} }, h.callers.member.openid);
    expect(unknown.body.error?.code).toBe('UNKNOWN_ACTION');
  });
});
