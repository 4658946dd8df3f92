/**
 * The daily quiz holds its answers back until a set is answered:
 *
 * - practice (quiz.practice, quiz.checkPractice) is no answer oracle: a member who asks for every tag,
 *   every practice round and a check of every question of the bank, as far as the daily limit lets
 *   them, learns the answers of questions already asked in daily sets closed for them and nothing
 *   else: not today's unanswered set, not tomorrow's (pinned, or the walk's next questions), not any
 *   question no daily set has had yet;
 * - practice checks are limited per member and day, atomically, with a clear refusal;
 * - an organiser who can read their own daily set's answers in 题库管理 takes the quiz without points
 *   and outside the rankings; an organiser of another subtree is ranked as before.
 *
 * The district has run the quiz for three days before the suite starts: those days are stored as the
 * function stores them (one `quiz_sets` document per day, the org's walk cursor in `quiz_config`), by
 * the same pure walk (core/quiz/daily-set.ts). The config is the shape a deployment already has, so
 * the first set chosen here also rebuilds the list of questions asked from the stored sets.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { startEmulator, type Emulator } from '../../scripts/local-cloud';
import { linkFunctions } from '../setup/functions';
import { DEMO } from '../../seed';
import { addDays, dayOf } from '../../core/day';
import { newConfig, pickDailySet, setId, type QuizConfig } from '../../core/quiz/daily-set';
import { PRACTICE_CHECKS_PER_DAY, practiceLimitMessage } from '../../core/quiz/practice';
import { ledgerId } from '../../core/points/ledger';
import type { StoredQuestion } from '../../core/quiz/question';
import { freshDataDir } from '../setup/demo-snapshot';

let emu: Emulator;
let fnDir: string;

interface Reply {
  ok: boolean;
  data: any;
  raw: string;
  ops: { reads: number; writes: number; total: number };
  error?: { code: string; message: string };
}

async function quiz(openid: string, action: string, payload: unknown = {}): Promise<Reply> {
  const res = await fetch(`${emu.url}/api/functions/quiz`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
    body: JSON.stringify({ action, payload }),
  });
  const raw = await res.text();
  const body = JSON.parse(raw);
  const ops = JSON.parse(res.headers.get('x-db-ops') ?? '{"total":-1}');
  return body.error ? { ok: false, data: undefined, raw, ops, error: body.error } : { ok: true, data: body.result.data, raw, ops };
}

const store = () =>
  emu.backend.store as {
    find(coll: string, q?: object, o?: object): any[];
    findOne(coll: string, id: string): any;
    insertMany(coll: string, docs: object[]): unknown;
    update(coll: string, q: object, u: object, o?: object): unknown;
    remove(coll: string, q: object, o?: { multi?: boolean }): number;
  };

const today = () => dayOf(new Date());
const truth = (id: string): StoredQuestion => store().findOne('quiz_questions', id);
const rightAnswers = (qs: Array<{ id: string }>) => qs.map((q) => ({ questionId: q.id, choice: truth(q.id).answer }));
/** the district's active bank in walk order, as the function queries it */
const bank = (): StoredQuestion[] => store().find('quiz_questions', { orgId: DEMO.districtId, status: 'active' }).sort((a: any, b: any) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
const bound = (branchId: string, role: string) => store().find('org_members', { branchId, role, status: 'active', openid: { $ne: null } }, { sort: { _id: 1 } });

/** question ids of each of the three days before today, oldest first */
const pastSets: string[][] = [];
let attacker: any;
/** a question of two days ago that the organiser pins for tomorrow */
let pinnedForTomorrow = '';

beforeAll(async () => {
  fnDir = await linkFunctions('sec-quiz', ['quiz', 'points']);
  emu = await startEmulator({
    functionsDir: fnDir,
    dataDir: freshDataDir('sec-quiz', 'demo'),
    port: 0,
    strict: true,
    testIdentityHeader: true,
    seed: 'demo',
    triggers: false,
    pool: 2,
    h5Dir: fs.mkdtempSync(path.join(os.tmpdir(), 'sec-quiz-noh5-')),
    log: () => undefined,
  });

  // three days of the district's quiz, walked and stored as the function does it, in place of the
  // seed's past sets (a config without `used`, as a deployment stored before it existed)
  store().remove('quiz_sets', {}, { multi: true });
  store().remove('quiz_config', {}, { multi: true });
  let cfg: QuizConfig = newConfig(DEMO.districtId, [DEMO.districtId]);
  const qs = bank();
  for (const back of [3, 2, 1]) {
    const day = addDays(today(), -back);
    const pick = pickDailySet({ config: cfg, afterCursor: qs.filter((q) => q.order > cfg.cursor), fromStart: qs, pinned: [] });
    store().insertMany('quiz_sets', [
      { _id: setId(cfg.orgId, day), orgId: cfg.orgId, orgName: '', day, materialised: true, pinned: [], questions: pick.questions, cycle: pick.cycle, createdAt: new Date() },
    ]);
    cfg = { ...cfg, cursor: pick.cursor, cycle: pick.cycle, pinnedInCycle: pick.pinnedInCycle };
    pastSets.push(pick.questions.map((q) => q._id));
  }
  store().insertMany('quiz_config', [{ ...cfg, updatedAt: new Date() }]);

  // the harvester answered yesterday's set and missed its first question
  attacker = store().find('org_members', { openid: DEMO.memberOpenid })[0];
  const yesterday = addDays(today(), -1);
  store().insertMany('points_ledger', [
    {
      _id: ledgerId({ type: 'quiz', id: yesterday }, attacker._id),
      memberId: attacker._id,
      branchId: attacker.branchId,
      day: yesterday,
      at: new Date(),
      points: 5,
      lines: [],
      capped: 0,
      reason: `每日答题 ${yesterday}`,
      source: { type: 'quiz', id: yesterday },
      quiz: {
        orgId: DEMO.districtId,
        setId: setId(DEMO.districtId, yesterday),
        correct: 4,
        total: 5,
        wrong: 1,
        streak: 1,
        results: pastSets[2].map((id, i) => ({ id, correct: i > 0, choice: ['Z'] })),
      },
    },
  ]);
  store().update('org_members', { _id: attacker._id }, { $set: { quizLastDay: yesterday, quizStreak: 1, quizMonth: yesterday.slice(0, 7), quizMonthDays: 1 } });

  // an organiser fixes a question already asked two days ago into tomorrow's set
  pinnedForTomorrow = pastSets[1][0];
  const pin = await quiz(DEMO.organiserOpenid, 'pin', { day: addDays(today(), 1), questionIds: [pinnedForTomorrow] });
  if (!pin.ok) throw new Error(`pin: ${pin.error?.code} ${pin.error?.message}`);
});

afterAll(async () => {
  await emu?.close();
  fs.rmSync(fnDir, { recursive: true, force: true });
});

describe('practice is not an answer oracle', () => {
  let todaySet: string[] = [];
  let harvested = new Map<string, { answer: string[]; explanation: string }>();

  test('a member who tries every tag, every round and every question gets only answers of closed sets', async () => {
    const t = await quiz(DEMO.memberOpenid, 'today');
    expect(t.ok).toBe(true);
    todaySet = t.data.questions.map((q: any) => q.id);
    const qs = bank();
    const offered = new Set<string>();
    const allTags = [...new Set(qs.flatMap((q) => q.tags))];
    for (const tag of allTags) {
      for (let round = 0; round < 3; round++) {
        const p = await quiz(DEMO.memberOpenid, 'practice', { mode: 'tag', tag, size: 20 });
        expect(p.raw).not.toMatch(/"answer"|"explanation"/);
        for (const q of p.data.questions) offered.add(q.id);
      }
    }
    for (const q of (await quiz(DEMO.memberOpenid, 'practice', { mode: 'wrong', size: 20 })).data.questions) offered.add(q.id);
    // then every question of the bank, one per check (a check of several is refused as a whole)
    harvested = new Map();
    let calls = 0;
    for (const q of [...qs.filter((x) => offered.has(x._id)), ...qs.filter((x) => !offered.has(x._id))]) {
      const r = await quiz(DEMO.memberOpenid, 'checkPractice', { answers: [{ questionId: q._id, choice: [q.options[0].id] }] });
      calls++;
      if (r.ok) harvested.set(q._id, { answer: r.data.results[0].answer, explanation: r.data.results[0].explanation });
      else {
        expect(r.error?.code).toBe('FAILED_PRECONDITION');
        expect(r.raw).not.toContain(q.explanation);
        expect(r.raw).not.toMatch(/"answer"/);
      }
    }
    expect(calls).toBe(qs.length);

    const stored = store().findOne('quiz_config', DEMO.districtId);
    const tomorrowWalk = pickDailySet({ config: stored, afterCursor: qs.filter((q) => q.order > stored.cursor), fromStart: qs, pinned: [truth(pinnedForTomorrow)] }).questions.map((q) => q._id);
    expect(tomorrowWalk).toContain(pinnedForTomorrow);
    const everScheduled = new Set([...pastSets.flat(), ...todaySet, ...tomorrowWalk]);
    const got = [...harvested.keys()];
    expect(got.filter((id) => todaySet.includes(id))).toEqual([]);
    expect(got.filter((id) => tomorrowWalk.includes(id))).toEqual([]);
    expect(got.filter((id) => !everScheduled.has(id))).toEqual([]);
    // exactly what the three closed days asked, bar the one pinned again for tomorrow
    const closed = [...new Set(pastSets.flat())].filter((id) => id !== pinnedForTomorrow && !todaySet.includes(id));
    expect(got.sort()).toEqual(closed.sort());
    expect([...offered].filter((id) => !closed.includes(id))).toEqual([]);
    for (const [id, a] of harvested) expect(a).toEqual({ answer: [...truth(id).answer].sort(), explanation: truth(id).explanation });
    // refused checks count nothing against the limit
    expect(store().findOne('org_members', attacker._id).quizPracticeChecks).toBe(closed.length);
  });

  test('today\'s questions become practicable for the member once they have answered today', async () => {
    const before = await quiz(DEMO.memberOpenid, 'checkPractice', { answers: [{ questionId: todaySet[0], choice: ['A'] }] });
    expect(before.error?.code).toBe('FAILED_PRECONDITION');
    const s = await quiz(DEMO.memberOpenid, 'submit', { day: today(), answers: rightAnswers(todaySet.map((id) => ({ id }))) });
    expect(s.ok).toBe(true);
    const after = await quiz(DEMO.memberOpenid, 'checkPractice', { answers: todaySet.map((id) => ({ questionId: id, choice: truth(id).answer })) });
    expect(after.data).toMatchObject({ correct: todaySet.length, total: todaySet.length });
    // another member who has not answered today still cannot
    const other = await quiz(DEMO.elderOpenid, 'checkPractice', { answers: [{ questionId: todaySet[0], choice: ['A'] }] });
    expect(other.error?.code).toBe('FAILED_PRECONDITION');
    expect(other.raw).not.toContain(truth(todaySet[0]).explanation);
  });

  test(`checks stop at ${PRACTICE_CHECKS_PER_DAY} questions a day: a clear refusal, no answer, no write`, async () => {
    const q = pastSets[0][1];
    let used = store().findOne('org_members', attacker._id).quizPracticeChecks;
    let last: Reply | null = null;
    for (let i = 0; i < PRACTICE_CHECKS_PER_DAY + 5; i++) {
      last = await quiz(DEMO.memberOpenid, 'checkPractice', { answers: [{ questionId: q, choice: ['A'] }] });
      if (!last.ok) break;
      used++;
      expect(last.data.checksLeft).toBe(PRACTICE_CHECKS_PER_DAY - used);
    }
    expect(used).toBe(PRACTICE_CHECKS_PER_DAY);
    expect(last!.error).toMatchObject({ code: 'RESOURCE_EXHAUSTED', message: practiceLimitMessage() });
    expect(last!.raw).not.toContain(truth(q).explanation);
    expect(last!.ops.writes).toBe(0);
    expect(store().findOne('org_members', attacker._id).quizPracticeChecks).toBe(PRACTICE_CHECKS_PER_DAY);
  });

  test('calls racing for the last checks of the day get exactly what is left', async () => {
    const racer = bound(DEMO.branchId, 'member').find((m: any) => m._id !== attacker._id && m.openid !== DEMO.elderOpenid);
    // two and three days ago: closed for everyone at any hour (yesterday's set stays open until 00:30)
    const batch = [...pastSets[0], ...pastSets[1]].filter((id) => id !== pinnedForTomorrow).map((id) => ({ questionId: id, choice: ['A'] }));
    expect(batch).toHaveLength(9);
    for (let i = 0; i < 10; i++) expect((await quiz(racer.openid, 'checkPractice', { answers: batch })).ok).toBe(true);
    // 90 used, 10 left: ten checks of 3 race for them, three get through
    const race = await Promise.all(Array.from({ length: 10 }, () => quiz(racer.openid, 'checkPractice', { answers: batch.slice(0, 3) })));
    expect(race.filter((r) => r.ok)).toHaveLength(3);
    expect(race.filter((r) => !r.ok).every((r) => r.error?.code === 'RESOURCE_EXHAUSTED')).toBe(true);
    // one left: a check of two is refused whole, a check of one is not
    expect((await quiz(racer.openid, 'checkPractice', { answers: batch.slice(0, 2) })).error?.code).toBe('RESOURCE_EXHAUSTED');
    expect((await quiz(racer.openid, 'checkPractice', { answers: batch.slice(0, 1) })).data.checksLeft).toBe(0);
    expect(store().findOne('org_members', racer._id).quizPracticeChecks).toBe(PRACTICE_CHECKS_PER_DAY);
  });
});

describe('an organiser who can read their own set\'s answers', () => {
  test('takes the quiz without points and is left out of the rankings; an organiser of another subtree is not', async () => {
    const orgDoc = store().find('org_members', { openid: DEMO.organiserOpenid })[0];
    expect(orgDoc.scopeId).toBe(DEMO.districtId);
    // 题库管理 shows the district organiser every answer of the district bank, today's set included
    const t = await quiz(DEMO.organiserOpenid, 'today');
    const listed = new Map<string, any>();
    for (let page = 0; ; page++) {
      const l = await quiz(DEMO.organiserOpenid, 'listQuestions', { status: 'active', page });
      for (const q of l.data.questions) listed.set(q.id, q);
      if ((page + 1) * 20 >= l.data.total) break;
    }
    for (const q of t.data.questions) expect(listed.get(q.id)?.answer).toEqual(truth(q.id).answer);
    const before = orgDoc.pointsTotal ?? 0;
    const s = await quiz(DEMO.organiserOpenid, 'submit', { day: today(), answers: rightAnswers(t.data.questions) });
    expect(s.data).toMatchObject({ correct: t.data.questions.length, points: 0, lines: [] });
    expect(store().findOne('points_ledger', ledgerId({ type: 'quiz', id: today() }, orgDoc._id)).points).toBe(0);
    expect(store().findOne('org_members', orgDoc._id).pointsTotal ?? 0).toBe(before);
    // the app says so before they answer, and on the bank page
    expect(t.data.unranked).toBe(true);
    expect((await quiz(DEMO.organiserOpenid, 'bankStatus')).data.ownQuizUnranked).toBe(true);

    // a member of the same branch answers too, and so does the street's organiser sitting there
    const peer = bound(orgDoc.branchId, 'secretary')[0];
    expect((await quiz(peer.openid, 'submit', { day: today(), answers: rightAnswers(t.data.questions) })).data.points).toBeGreaterThan(0);
    const street = store().find('org_members', { openid: DEMO.streetOrganiserOpenid })[0];
    expect(street.branchId).toBe(orgDoc.branchId);
    const st = await quiz(street.openid, 'today');
    expect(st.data.unranked).toBe(false);
    expect((await quiz(street.openid, 'bankStatus')).data.ownQuizUnranked).toBe(false);
    expect((await quiz(street.openid, 'submit', { day: today(), answers: rightAnswers(st.data.questions) })).data.points).toBeGreaterThan(0);

    const rm = await quiz(peer.openid, 'rankMembers');
    const ids = rm.data.rows.map((r: any) => r.memberId);
    expect(ids).not.toContain(orgDoc._id);
    expect(ids).toEqual(expect.arrayContaining([peer._id, street._id]));
    const own = await quiz(DEMO.organiserOpenid, 'rankMembers');
    expect(own.data).toMatchObject({ me: null, meUnranked: true });
    expect(own.data.rows.map((r: any) => r.memberId)).not.toContain(orgDoc._id);

    const rb = await quiz(peer.openid, 'rankBranches', { level: 'community' });
    const row = rb.data.rows.find((r: any) => r.branchId === orgDoc.branchId);
    const active = store().find('org_members', { branchId: orgDoc.branchId, status: 'active' }).length;
    expect(row).toMatchObject({ members: active - 1, answeredToday: 2 });
  });
});
