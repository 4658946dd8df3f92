import { Store } from '../../emulator/db/store';
import { DB_SCHEMA } from '../../core/db-schema';
import { DEMO, DISTRICT, demoData, districtData, listDemoTips, listDemoUsers, seed } from '../../seed';
import { QUIZ_HISTORY_DAYS, quizHistory } from '../../seed/quiz';
import { PHONE_RE } from '../../core/org/contracts';
import { clearQuizCache, quizActions } from '../../cloudfunctions/quiz/actions';
import { toCallerMember } from '../../core/fn/caller';
import { AppError } from '../../core/fn/errors';
import { checkBranches } from '../../core/consistency/runner';
import { addDays, dayOf } from '../../core/day';
import { setId, type QuizConfig } from '../../core/quiz/daily-set';
import type { StoredQuestion } from '../../core/quiz/question';

const now = new Date('2025-06-01T08:00:00Z');

describe('demo seed shape', () => {
  const d = demoData(now);
  const branches = d.nodes.filter((n) => n.type === 'branch');
  const age = (m: { birthYear: number }) => now.getFullYear() - m.birthYear;

  it('is a district of 4 streets, about 20 branches, about 400 members', () => {
    expect(d.nodes.filter((n) => n.type === 'district').map((n) => n.name)).toEqual(['郑州市金水区委']);
    expect(d.nodes.filter((n) => n.type === 'street')).toHaveLength(4);
    expect(branches.length).toBeGreaterThanOrEqual(18);
    expect(branches.length).toBeLessThanOrEqual(24);
    expect(d.members.length).toBeGreaterThanOrEqual(380);
    expect(d.members.length).toBeLessThanOrEqual(450);
    expect(branches.map((b) => b.name)).toEqual(expect.arrayContaining(['区委机关第一党支部', 'WORK共享办公党支部', '馨怡家园社区退休党员党支部']));
  });

  it('paths are the ancestors, root first', () => {
    const byId = new Map(d.nodes.map((n) => [n._id, n]));
    for (const n of d.nodes) {
      const parent = n.parentId ? byId.get(n.parentId)! : null;
      expect(n.path).toEqual(parent ? [...parent.path, parent._id] : []);
    }
    for (const m of d.members) expect(m.path).toEqual([...byId.get(m.branchId)!.path, m.branchId]);
  });

  it('phones are valid and unique, ids unique', () => {
    const phones = d.members.map((m) => m.phone);
    for (const p of phones) expect(p).toMatch(PHONE_RE);
    expect(new Set(phones).size).toBe(phones.length);
    expect(new Set(d.members.map((m) => m._id)).size).toBe(d.members.length);
    // people still applying are not members yet; approved applications belong to members
    for (const a of d.applications.filter((x) => x.status === 'pending')) expect(phones).not.toContain(a.phone);
  });

  it('every branch has exactly one secretary, and there are a district and a street organiser', () => {
    for (const b of branches) expect(d.members.filter((m) => m.branchId === b._id && m.role === 'secretary')).toHaveLength(1);
    const organisers = d.members.filter((m) => m.role === 'organiser');
    expect(organisers.map((o) => o.scopeId).sort()).toEqual([DEMO.districtId, DEMO.streetId].sort());
  });

  it('ages 25–88 with plenty of 60+', () => {
    const ages = d.members.map(age);
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(24);
    expect(Math.max(...ages)).toBeLessThanOrEqual(88);
    const elders = ages.filter((a) => a >= 60).length / ages.length;
    expect(elders).toBeGreaterThan(0.35);
    expect(elders).toBeLessThan(0.6);
  });

  it('some members have joined (openid demo-<id>), some are roster-only', () => {
    const bound = d.members.filter((m) => m.openid);
    for (const m of bound) expect(m.openid).toBe(`demo-${m._id}`);
    expect(bound.length / d.members.length).toBeGreaterThan(0.6);
    expect(d.members.length - bound.length).toBeGreaterThan(20);
  });

  it('the well-known users are what their names say', () => {
    const byOpenid = new Map(d.members.filter((m) => m.openid).map((m) => [m.openid!, m]));
    expect(byOpenid.get(DEMO.secretaryOpenid)).toMatchObject({ role: 'secretary', branchId: DEMO.branchId });
    expect(byOpenid.get(DEMO.memberOpenid)).toMatchObject({ role: 'member', branchId: DEMO.branchId });
    expect(age(byOpenid.get(DEMO.memberOpenid)!)).toBeLessThan(60);
    expect(age(byOpenid.get(DEMO.elderOpenid)!)).toBeGreaterThanOrEqual(70);
    expect(byOpenid.get(DEMO.organiserOpenid)).toMatchObject({ role: 'organiser', scopeId: DEMO.districtId });
    expect(byOpenid.get(DEMO.streetOrganiserOpenid)).toMatchObject({ role: 'organiser', scopeId: DEMO.streetId });
    expect(byOpenid.get(DEMO.otherBranchSecretaryOpenid)).toMatchObject({ role: 'secretary', branchId: DEMO.otherBranchId });
    const unbound = d.members.find((m) => m._id === DEMO.unboundMember.id)!;
    expect(unbound).toMatchObject({ openid: null, branchId: DEMO.branchId, name: DEMO.unboundMember.name, phone: DEMO.unboundMember.phone });
    expect(d.applications.filter((a) => a.status === 'pending').map((a) => a._id)).toEqual(DEMO.pendingApplicationIds);
    expect(d.invites.map((i) => i._id)).toEqual([DEMO.inviteCode, DEMO.expiredInviteCode, DEMO.revokedInviteCode, DEMO.usedUpInviteCode]);
  });

  it('is deterministic', () => {
    const again = demoData(now);
    expect(again.members).toEqual(d.members);
    expect(again.nodes).toEqual(d.nodes);
  });
});

describe('seed() into the emulator store', () => {
  it('demo: writes members, bindings, invites and applications; listDemoUsers labels roles in Chinese', async () => {
    const store = new Store({ file: ':memory:', schema: DB_SCHEMA });
    try {
      const r = await seed(store, { size: 'demo', now });
      expect(r.members).toBe(store.count('org_members', {}));
      expect(r.branches).toBe(store.count('org_nodes', { type: 'branch' }));
      expect(store.count('org_bindings', {})).toBe(store.count('org_members', { openid: { $ne: null } }));
      expect(store.findOne('org_invites', DEMO.inviteCode)).toMatchObject({ branchId: DEMO.branchId, revoked: false });
      const users = await listDemoUsers(store);
      expect(users.map((u) => u.role)).toEqual(expect.arrayContaining(['组织管理员', '支部书记', '党员']));
      const elder = users.find((u) => u.openid === DEMO.elderOpenid)!;
      expect(elder.branchName).toBe(DEMO.branchName);
      expect(elder.age).toBeGreaterThanOrEqual(70);
      expect(users.find((u) => u.openid === DEMO.organiserOpenid)!.role).toBe('组织管理员');
      // only the invite that still works is offered, never the expired, revoked or used-up ones
      expect(await listDemoTips(store, now)).toEqual([`可用邀请码 ${DEMO.inviteCode}（${DEMO.branchName}）`]);
      const weekLater = new Date(now.getTime() + 8 * 24 * 3600 * 1000);
      expect((await listDemoTips(store, weekLater))[0]).toContain('没有可用的邀请码');
    } finally {
      store.close();
    }
  });

  it('none writes nothing', async () => {
    const store = new Store({ file: ':memory:', schema: DB_SCHEMA });
    try {
      expect(await seed(store, { size: 'none', now })).toEqual({ members: 0, branches: 0 });
      expect(store.count('org_members', {})).toBe(0);
    } finally {
      store.close();
    }
  });

  it('district: 25,000 members in 1,000 branches, in a few seconds', async () => {
    const shape = districtData(now);
    expect(new Set(shape.members.map((m) => m.phone)).size).toBe(25_000);
    const store = new Store({ file: ':memory:', schema: DB_SCHEMA });
    try {
      const started = Date.now();
      expect(await seed(store, { size: 'district', now })).toEqual({ members: 25_000, branches: 1_000 });
      expect(store.count('org_members', {})).toBe(25_000);
      expect(store.findOne('org_nodes', DISTRICT.branchId)).toMatchObject({ type: 'branch' });
      const organiser = store.find('org_members', { openid: DISTRICT.organiserOpenid })[0];
      expect(organiser).toMatchObject({ role: 'organiser', scopeId: DISTRICT.districtId });
      expect(store.find('org_members', { openid: DISTRICT.secretaryOpenid })[0]).toMatchObject({ role: 'secretary', branchId: DISTRICT.branchId });
      // a figure for the report, not a pass/fail threshold
      process.stdout.write(`district seed: ${Date.now() - started} ms\n`);
    } finally {
      store.close();
    }
  });
});

/**
 * The slice of wx-server-sdk's database API the quiz function and the consistency checker use
 * (where/orderBy/field/skip/limit/get/count, doc get/set/update, where().update, add, the commands
 * and runTransaction), over the emulator's store: their own code runs in-process on seeded data.
 */
class Inc {
  constructor(readonly n: number) {}
}
class Whole {
  constructor(readonly v: unknown) {}
}
function storeDb(store: Store) {
  const command = {
    in: (v: unknown[]) => ({ $in: v }),
    gt: (v: unknown) => ({ $gt: v }),
    gte: (v: unknown) => ({ $gte: v }),
    lt: (v: unknown) => ({ $lt: v }),
    lte: (v: unknown) => ({ $lte: v }),
    neq: (v: unknown) => ({ $ne: v }),
    inc: (n: number) => new Inc(n),
    set: (v: unknown) => new Whole(v),
  };
  const toUpdate = (data: Record<string, unknown>) => {
    const $set: Record<string, unknown> = {};
    const $inc: Record<string, number> = {};
    for (const [k, v] of Object.entries(data)) {
      if (v instanceof Inc) $inc[k] = v.n;
      else $set[k] = v instanceof Whole ? v.v : v;
    }
    return { ...(Object.keys($set).length ? { $set } : {}), ...(Object.keys($inc).length ? { $inc } : {}) };
  };
  const collection = (name: string) => {
    const query = (where: Record<string, unknown>, sort: Record<string, 1 | -1>, skip: number, limit: number): any => ({
      where: (w: Record<string, unknown>) => query({ ...where, ...w }, sort, skip, limit),
      orderBy: (field: string, dir: 'asc' | 'desc') => query(where, { ...sort, [field]: dir === 'desc' ? -1 : 1 }, skip, limit),
      field: () => query(where, sort, skip, limit),
      skip: (n: number) => query(where, sort, n, limit),
      limit: (n: number) => query(where, sort, skip, n),
      get: async () => ({ data: store.find(name, where, { sort, skip, limit }) }),
      count: async () => ({ total: store.count(name, where) }),
      update: async ({ data }: { data: Record<string, unknown> }) => ({ stats: { updated: store.update(name, where, toUpdate(data), { multi: true }).modified } }),
    });
    return {
      ...query({}, {}, 0, 100),
      doc: (id: string) => ({
        get: async () => ({ data: store.findOne(name, id) }),
        set: async ({ data }: { data: Record<string, unknown> }) => store.put(name, { ...data, _id: id }, 'upsert'),
        update: async ({ data }: { data: Record<string, unknown> }) => ({ stats: { updated: store.update(name, { _id: id }, toUpdate(data)).modified } }),
      }),
      add: async ({ data }: { data: Record<string, unknown> | Record<string, unknown>[] }) => {
        for (const d of Array.isArray(data) ? data : [data]) store.put(name, d, 'insert');
        return {};
      },
    };
  };
  // one caller at a time: a transaction is the same handle
  const db: any = { command, collection, runTransaction: async (fn: (tx: unknown) => Promise<unknown>) => fn(db) };
  return db;
}

/** A quiz action as the function runs it for the member with `openid` at `at` (a cold instance). */
async function quizCall(store: Store, openid: string, action: string, payload: unknown, at: Date): Promise<any> {
  clearQuizCache();
  const doc = store.find('org_members', { openid, status: 'active' })[0] as any;
  const def = quizActions[action];
  const ctx = { db: storeDb(store), now: at, sendSubscribe: async () => ({ errCode: 0 }), caller: { openid, member: toCallerMember(doc), doc } };
  return def.handler(def.input.parse(payload), ctx as any);
}

/** Every question 专题练习 offers the member now, over all the tags it lists. */
async function practiceOffers(store: Store, openid: string, at: Date): Promise<Set<string>> {
  const offered = new Set<string>();
  const { tags } = await quizCall(store, openid, 'tags', {}, at);
  for (const { tag } of tags as Array<{ tag: string }>) {
    const p = await quizCall(store, openid, 'practice', { mode: 'tag', tag, size: 20 }, at);
    for (const q of p.questions) offered.add(q.id);
  }
  return offered;
}

const refusal = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
};

describe('the demo quiz history', () => {
  const today = dayOf(now);
  const history = Array.from({ length: QUIZ_HISTORY_DAYS }, (_, i) => addDays(today, i - QUIZ_HISTORY_DAYS));

  it('is the last days of the district\'s daily sets, exactly as the quiz function chooses and stores them', async () => {
    const seeded = new Store({ file: ':memory:', schema: DB_SCHEMA });
    const replayed = new Store({ file: ':memory:', schema: DB_SCHEMA });
    try {
      await seed(seeded, { size: 'demo', now });
      const sets = seeded.find('quiz_sets', {}, { sort: { day: 1 } });
      expect(sets.map((s) => s._id)).toEqual(history.map((d) => setId(DEMO.districtId, d)));
      expect(sets.every((s) => s.materialised && s.questions.length === 5 && s.orgName === '郑州市金水区委')).toBe(true);
      const asked = sets.flatMap((s) => s.questions.map((q: any) => q._id));
      expect(new Set(asked).size).toBe(asked.length);
      const cfg = seeded.findOne('quiz_config', DEMO.districtId) as QuizConfig;
      // questions the type mix took ahead of the cursor are remembered in pinnedInCycle, as the function does
      expect(cfg).toMatchObject({ orgPath: [DEMO.districtId], perDay: 5, cycle: 1 });
      expect(Object.keys(cfg.used!).sort()).toEqual([...asked].sort());
      // the same district, its quiz never run: members open each day's set at the time the seed says
      await seed(replayed, { size: 'demo', now });
      replayed.remove('quiz_sets', {}, { multi: true });
      replayed.remove('quiz_config', {}, { multi: true });
      for (const s of sets) {
        const r = await quizCall(replayed, DEMO.elderOpenid, 'today', {}, s.createdAt);
        expect(r.day).toBe(s.day);
      }
      expect(replayed.find('quiz_sets', {}, { sort: { day: 1 } })).toEqual(sets);
      expect(replayed.findOne('quiz_config', DEMO.districtId)).toEqual(cfg);
    } finally {
      seeded.close();
      replayed.close();
    }
  });

  it('adds no quiz counters or answers: the consistency checker finds no difference on a fresh demo seed', async () => {
    const store = new Store({ file: ':memory:', schema: DB_SCHEMA });
    try {
      await seed(store, { size: 'demo', now });
      expect(store.count('points_ledger', { 'source.type': 'quiz' })).toBe(0);
      const sum = await checkBranches(storeDb(store), { keep: 5 });
      expect(sum.branches).toBe(store.count('org_nodes', { type: 'branch' }));
      expect(sum.reports.flatMap((r) => r.differences)).toEqual([]);
    } finally {
      store.close();
    }
  });

  // the seed's week, and a fortnight: the walk about to wrap, so tomorrow's set reopens the first questions asked
  it.each([
    [QUIZ_HISTORY_DAYS, false],
    [14, true],
  ])('with %i days of sets a member can practise by tag at once, never today\'s or tomorrow\'s questions', async (days, tomorrowReasks) => {
    const store = new Store({ file: ':memory:', schema: DB_SCHEMA });
    try {
      await seed(store, { size: 'demo', now });
      if (days !== QUIZ_HISTORY_DAYS) {
        store.remove('quiz_sets', {}, { multi: true });
        store.remove('quiz_config', {}, { multi: true });
        const h = quizHistory({ orgId: DEMO.districtId, orgPath: [DEMO.districtId], orgName: '郑州市金水区委' }, store.find('quiz_questions', {}) as StoredQuestion[], today, days);
        store.insertMany('quiz_sets', h.sets);
        store.insertMany('quiz_config', [h.config!]);
      }
      const used = (store.findOne('quiz_config', DEMO.districtId) as QuizConfig).used!;
      // before anyone has opened today's set
      const before = await practiceOffers(store, DEMO.memberOpenid, now);
      expect(before.size).toBeGreaterThanOrEqual(20);
      for (const id of before) expect(used[id] < today).toBe(true);
      // today's set chosen, the member has not answered it
      const todaySet = (await quizCall(store, DEMO.secretaryOpenid, 'today', {}, now)).questions.map((q: any) => q.id) as string[];
      const during = await practiceOffers(store, DEMO.memberOpenid, now);
      expect(during.size).toBeGreaterThanOrEqual(20);
      // an offered question is checked, with its answer; one of today's set is refused
      const [offered] = [...during];
      const q = store.findOne('quiz_questions', offered) as any;
      const chk = await quizCall(store, DEMO.memberOpenid, 'checkPractice', { answers: [{ questionId: offered, choice: q.answer }] }, now);
      expect(chk).toMatchObject({ correct: 1, total: 1, results: [{ id: offered, correct: true, answer: q.answer }] });
      const early = store.findOne('quiz_questions', todaySet[0]) as any;
      expect(await refusal(quizCall(store, DEMO.memberOpenid, 'checkPractice', { answers: [{ questionId: early._id, choice: early.answer }] }, now))).toBe('FAILED_PRECONDITION');
      // tomorrow's set, chosen when tomorrow comes
      const tomorrowSet = (await quizCall(store, DEMO.secretaryOpenid, 'today', {}, new Date(now.getTime() + 24 * 3600 * 1000))).questions.map((q: any) => q.id) as string[];
      expect(tomorrowSet).toHaveLength(5);
      // after a fortnight the walk wraps: tomorrow asks again questions of two weeks ago
      expect(tomorrowSet.some((id) => !!used[id])).toBe(tomorrowReasks);
      for (const id of [...todaySet, ...tomorrowSet]) {
        expect(before.has(id)).toBe(false);
        expect(during.has(id)).toBe(false);
      }
    } finally {
      store.close();
    }
  });
});
