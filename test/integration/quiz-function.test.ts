/**
 * The quiz and points functions on the local emulator over real HTTP, called as different WeChat
 * users (x-wx-openid): a member answers today's set, retries and races, finds the misses in the
 * wrong book; the secretary sees who is missing and reminds; the organiser imports a bank, pins and
 * retires questions; rankings and the secretary view cost the same after 30 days of history.
 * Tests run in order and share one seeded store.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import ExcelJS from 'exceljs';
import { startEmulator, type Emulator } from '../../scripts/local-cloud';
import { linkFunctions } from '../setup/functions';
import { DEMO } from '../../seed';
import { addDays, dayOf } from '../../core/day';
import { BANK_TEMPLATE_ROWS } from '../../core/quiz/bank';
import { pastQuizEntry } from '../../core/quiz/stored';
import { openDaysFor } from '../../core/quiz/practice';
import { SUBSCRIBE_TEMPLATES } from '../../core/subscribe/templates';
import { grantSubscribe } from '../fixtures/subscribe-grants';
import { freshDataDir } from '../setup/demo-snapshot';

let emu: Emulator;
let fnDir: string;

interface Reply {
  status: number;
  ok: boolean;
  data: any;
  raw: string;
  ops: { reads: number; writes: number; transactions: number; total: number };
  error?: { code: string; message: string; details?: any };
}

async function call(fn: 'quiz' | 'points', openid: string | null, action: string, payload: unknown = {}): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (openid) headers['x-wx-openid'] = openid;
  const res = await fetch(`${emu.url}/api/functions/${fn}`, { method: 'POST', headers, body: JSON.stringify({ action, payload }) });
  const raw = await res.text();
  const body = JSON.parse(raw);
  const ops = JSON.parse(res.headers.get('x-db-ops') ?? '{"total":-1}');
  if (body.error) return { status: res.status, ok: false, data: undefined, raw, ops, error: body.error };
  return { status: res.status, ok: true, data: body.result.data, raw, ops };
}
const quiz = (openid: string | null, action: string, payload?: unknown) => call('quiz', openid, action, payload);

const store = () =>
  emu.backend.store as {
    find(coll: string, q?: object, o?: object): any[];
    findOne(coll: string, id: string): any;
    count(coll: string, q?: object): number;
    insertMany(coll: string, docs: object[]): unknown;
    remove(coll: string, q: object, o?: { multi?: boolean }): number;
  };

const today = () => dayOf(new Date());
const b64 = (buf: Buffer | string) => Buffer.from(buf).toString('base64');
const csv = (rows: string[][]) => b64('\uFEFF' + rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n'));

/** the stored question, to know the right answer in a test (never from the API) */
const truth = (id: string) => store().findOne('quiz_questions', id);
const wrongChoice = (q: any) => [q.options.map((o: any) => o.id).find((o: string) => !q.answer.includes(o))];

beforeAll(async () => {
  // only this feature's functions, so another feature's work in progress cannot break this suite
  fnDir = await linkFunctions('quiz-it', ['quiz', 'points']);
  emu = await startEmulator({
    functionsDir: fnDir,
    dataDir: freshDataDir('quiz-it', 'demo'),
    port: 0,
    strict: true,
    testIdentityHeader: true,
    seed: 'demo',
    triggers: false,
    pool: 2,
    h5Dir: fs.mkdtempSync(path.join(os.tmpdir(), 'quiz-it-noh5-')),
    log: () => undefined,
  });
  // these scenarios start from a district whose quiz has not run yet: without the seed's past daily
  // sets (test/unit/seed-demo.test.ts covers those), today's set is the first one asked
  store().remove('quiz_sets', {}, { multi: true });
  store().remove('quiz_config', {}, { multi: true });
});

afterAll(async () => {
  await emu?.close();
  fs.rmSync(fnDir, { recursive: true, force: true });
});

let set: any[] = [];

describe('daily set and answering', () => {
  test('today: the same 5 questions for every member of the district, and no answers in the body', async () => {
    const [a, b, c] = await Promise.all([quiz(DEMO.memberOpenid, 'today'), quiz(DEMO.elderOpenid, 'today'), quiz(DEMO.otherBranchSecretaryOpenid, 'today')]);
    for (const r of [a, b, c]) expect(r.ok).toBe(true);
    expect(a.data.day).toBe(today());
    expect(a.data.questions).toHaveLength(5);
    expect(b.data.questions.map((q: any) => q.id)).toEqual(a.data.questions.map((q: any) => q.id));
    expect(c.data.questions.map((q: any) => q.id)).toEqual(a.data.questions.map((q: any) => q.id));
    expect(a.data.submission).toBeNull();
    set = a.data.questions;
    // the correct answers and explanations never reach the client before submission
    for (const q of set) {
      const t = truth(q.id);
      expect(a.raw).not.toContain(t.explanation);
      expect(Object.keys(q).sort()).toEqual(['difficulty', 'id', 'options', 'source', 'stem', 'tags', 'type']);
    }
    expect(a.raw).not.toMatch(/"answer"|"explanation"/);
    expect(store().count('quiz_sets', { materialised: true })).toBe(1);
  });

  test('bad submissions: not in today\'s set, unknown option, missing, future and past days, no branch — nothing recorded', async () => {
    const good = set.map((q) => ({ questionId: q.id, choice: [q.options[0].id] }));
    const other = store().find('quiz_questions', {}).find((q: any) => !set.some((s) => s.id === q._id));
    const cases: Array<[string | null, unknown, string, string?]> = [
      [DEMO.memberOpenid, { day: today(), answers: [...good.slice(1), { questionId: other._id, choice: ['A'] }] }, 'INVALID_ARGUMENT', '这道题不在本次题目中'],
      [DEMO.memberOpenid, { day: today(), answers: [{ ...good[0], choice: ['Z'] }, ...good.slice(1)] }, 'INVALID_ARGUMENT', '没有选项 Z'],
      [DEMO.memberOpenid, { day: today(), answers: good.slice(1) }, 'INVALID_ARGUMENT', '还有 1 道题没有作答'],
      [DEMO.memberOpenid, { day: today(), answers: [good[0], ...good] }, 'INVALID_ARGUMENT', '同一道题只能作答一次'],
      [DEMO.memberOpenid, { day: addDays(today(), 1), answers: good }, 'INVALID_ARGUMENT', '还没到这一天，不能提前作答'],
      [DEMO.memberOpenid, { day: addDays(today(), -2), answers: good }, 'FAILED_PRECONDITION'],
      [DEMO.memberOpenid, { day: '2026-02-30', answers: good }, 'INVALID_ARGUMENT'],
      [DEMO.memberOpenid, { day: today(), answers: 'A' }, 'INVALID_ARGUMENT'],
      ['o-nobody', { day: today(), answers: good }, 'PERMISSION_DENIED', '请先加入党支部'],
      [null, { day: today(), answers: good }, 'UNAUTHENTICATED'],
    ];
    for (const [who, payload, code, message] of cases) {
      const r = await quiz(who, 'submit', payload);
      expect(r.error?.code).toBe(code);
      if (message) expect(r.error?.message).toBe(message);
      expect(r.raw).not.toMatch(/at .*\.js:\d+/);
    }
    const single = set.find((q) => q.type === 'single');
    if (single) {
      const two = await quiz(DEMO.memberOpenid, 'submit', { day: today(), answers: set.map((q) => ({ questionId: q.id, choice: q.id === single.id ? ['A', 'B'] : [q.options[0].id] })) });
      expect(two.error?.message).toBe('这道题只能选一个答案');
    }
    expect(store().count('points_ledger', {})).toBe(0);
  });

  test('submit: scored on the server with explanations and points; retries and races make one record and one award', async () => {
    const missed = set[0];
    const answers = set.map((q, i) => ({ questionId: q.id, choice: i === 0 ? wrongChoice(truth(q.id)) : truth(q.id).answer }));
    const results = await Promise.all(Array.from({ length: 6 }, () => quiz(DEMO.memberOpenid, 'submit', { day: today(), answers })));
    for (const r of results) expect(r.ok).toBe(true);
    expect(results.filter((r) => !r.data.duplicate)).toHaveLength(1);
    const r = results.find((x) => !x.data.duplicate)!;
    expect(r.data).toMatchObject({ day: today(), correct: 4, total: 5, streak: 1 });
    expect(r.data.results[0]).toMatchObject({ id: missed.id, correct: false, answer: truth(missed.id).answer, explanation: truth(missed.id).explanation });
    // default rules: 1 for taking part + 1 per correct answer; no full-set bonus with a miss
    expect(r.data.points).toBe(5);
    expect(r.data.lines.map((l: any) => l.rule)).toEqual(['quiz.participate', 'quiz.correct']);
    for (const x of results) expect(x.data.points).toBe(5);
    expect(store().count('points_ledger', { memberId: DEMO.memberId })).toBe(1);
    const m = store().findOne('org_members', DEMO.memberId);
    expect(m).toMatchObject({ pointsTotal: 5, pointsDayTotal: 5, quizLastDay: today(), quizStreak: 1, quizDays: 1, quizCorrect: 4 });
    // a later, different answer cannot change anything
    const again = await quiz(DEMO.memberOpenid, 'submit', { day: today(), answers: set.map((q) => ({ questionId: q.id, choice: truth(q.id).answer })) });
    expect(again.data).toMatchObject({ duplicate: true, correct: 4, points: 5 });
    expect(store().findOne('org_members', DEMO.memberId).pointsTotal).toBe(5);
    const t = await quiz(DEMO.memberOpenid, 'today');
    expect(t.data.submission).toMatchObject({ correct: 4, points: 5 });
  });

  test('a warm instance answers a submission with 3 DB operations: caller, the answer record, the counters where the day is not yet counted', async () => {
    const ops: number[] = [];
    // warm both instances of the pool first
    await Promise.all([quiz(DEMO.elderOpenid, 'today'), quiz(DEMO.secretaryOpenid, 'today')]);
    for (const who of [DEMO.elderOpenid, DEMO.secretaryOpenid]) {
      const r = await quiz(who, 'submit', { day: today(), answers: set.map((q) => ({ questionId: q.id, choice: truth(q.id).answer })) });
      expect(r.ok).toBe(true);
      expect(r.data.correct).toBe(5);
      // all right: + full-set bonus
      expect(r.data.lines.map((l: any) => l.rule)).toEqual(['quiz.participate', 'quiz.correct', 'quiz.fullSet']);
      ops.push(r.ops.total);
      expect(r.ops.transactions).toBe(0);
    }
    // caller, insert the record (a repeat finds it), update the counters (no transaction); a cold
    // instance also reads the config, the set and the rules
    expect(Math.min(...ops)).toBe(3);
    expect(ops.every((n) => n <= 6)).toBe(true);
  });
});

describe('wrong book and practice', () => {
  test('the missed question is in the wrong book with the right answer; practice awards nothing', async () => {
    const wb = await quiz(DEMO.memberOpenid, 'wrongBook');
    expect(wb.data.items.map((i: any) => i.id)).toEqual([set[0].id]);
    expect(wb.data.items[0]).toMatchObject({ answer: truth(set[0].id).answer, times: 1, lastDay: today() });
    const p = await quiz(DEMO.memberOpenid, 'practice', { mode: 'wrong' });
    expect(p.data.questions.map((q: any) => q.id)).toEqual([set[0].id]);
    expect(p.raw).not.toMatch(/"answer"|"explanation"/);
    const before = store().findOne('org_members', DEMO.memberId).pointsTotal;
    const chk = await quiz(DEMO.memberOpenid, 'checkPractice', { answers: [{ questionId: set[0].id, choice: truth(set[0].id).answer }] });
    expect(chk.data).toMatchObject({ correct: 1, total: 1, mastered: [set[0].id] });
    expect(store().findOne('org_members', DEMO.memberId).pointsTotal).toBe(before);
    expect(store().count('points_ledger', { memberId: DEMO.memberId })).toBe(1);
    expect((await quiz(DEMO.memberOpenid, 'wrongBook')).data.items).toEqual([]);
  });

  test('practice draws only from daily sets closed for the caller; a question not asked yet is refused', async () => {
    // the member has answered today's set, the only one so far: its questions are all practice has
    const tags = await quiz(DEMO.memberOpenid, 'tags');
    const expected = new Map<string, number>();
    for (const q of set) for (const t of q.tags) expected.set(t, (expected.get(t) ?? 0) + 1);
    expect(new Map(tags.data.tags.map((t: any) => [t.tag, t.count]))).toEqual(expected);
    const tag = tags.data.tags[0].tag;
    const p = await quiz(DEMO.memberOpenid, 'practice', { mode: 'tag', tag, size: 20 });
    expect(p.data.questions.map((q: any) => q.id).sort()).toEqual(set.filter((q) => q.tags.includes(tag)).map((q) => q.id).sort());
    expect(p.raw).not.toMatch(/"answer"|"explanation"/);
    const checks = [];
    for (const right of [false, false, false, true, true, true]) {
      const choice = right ? truth(set[1].id).answer : wrongChoice(truth(set[1].id));
      checks.push(await quiz(DEMO.memberOpenid, 'checkPractice', { answers: [{ questionId: set[1].id, choice }] }));
    }
    expect(checks.map((c) => c.data.correct)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(checks.map((c) => c.data.checksLeft)).toEqual([98, 97, 96, 95, 94, 93]);
    // warm: caller, config, questions, the practice counter; a right answer also looks in the wrong
    // book (2) to take it out; pins and the wrap are read once a minute per instance (2); until 00:30
    // yesterday's set, which the member may still submit, is read too
    const open = openDaysFor(new Date(), store().findOne('org_members', DEMO.memberId)).length;
    const ops = checks.map((c) => c.ops.total);
    expect(Math.min(...ops.slice(0, 3))).toBe(4 + open);
    expect(Math.min(...ops.slice(3))).toBe(6 + open);
    expect(Math.max(...ops)).toBeLessThanOrEqual(8 + open);
    const unasked = store().find('quiz_questions', { status: 'active' }).find((q: any) => !set.some((x) => x.id === q._id));
    const r = await quiz(DEMO.memberOpenid, 'checkPractice', { answers: [{ questionId: unasked._id, choice: unasked.answer }] });
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.raw).not.toContain(unasked.explanation);
    expect(r.ops.writes).toBe(0);
    // the other branch's secretary fetched today's set and has not answered it: nothing to practise yet
    expect((await quiz(DEMO.otherBranchSecretaryOpenid, 'tags')).data.tags).toEqual([]);
    const early = await quiz(DEMO.otherBranchSecretaryOpenid, 'checkPractice', { answers: [{ questionId: set[1].id, choice: ['A'] }] });
    expect(early.error?.code).toBe('FAILED_PRECONDITION');
    expect(early.raw).not.toContain(truth(set[1].id).explanation);
    const bad = await quiz(DEMO.memberOpenid, 'checkPractice', { answers: [{ questionId: 'qnope', choice: ['A'] }] });
    expect(bad.error?.code).toBe('INVALID_ARGUMENT');
  });

  test("another street's bank cannot be checked: its answers stay unknown", async () => {
    const mine = truth(set[0].id);
    store().insertMany('quiz_questions', [{ ...mine, _id: 'q-other-street', orgId: 'd1-s2', stem: '另一街道的题目' }]);
    const r = await quiz(DEMO.memberOpenid, 'checkPractice', { answers: [{ questionId: 'q-other-street', choice: mine.answer }] });
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
    expect(r.raw).not.toMatch(/"correct"/);
    store().remove('quiz_questions', { _id: 'q-other-street' });
  });
});

describe('secretary view and reminders', () => {
  test('the secretary sees participation and exactly who has not answered', async () => {
    const r = await quiz(DEMO.secretaryOpenid, 'branchToday');
    expect(r.ok).toBe(true);
    const members = store().count('org_members', { branchId: DEMO.branchId, status: 'active' });
    expect(r.data).toMatchObject({ branchId: DEMO.branchId, members, answered: 3 });
    expect(r.data.answeredList.map((m: any) => m.memberId).sort()).toEqual([DEMO.secretaryId, DEMO.memberId, DEMO.elderId].sort());
    expect(r.data.missing).toHaveLength(members - 3);
    const notAnswered = store().find('org_members', { branchId: DEMO.branchId, status: 'active' }).filter((m: any) => m.quizLastDay !== today());
    expect(r.data.missing.map((m: any) => m.memberId).sort()).toEqual(notAnswered.map((m: any) => m._id).sort());
    expect(r.raw).not.toMatch(/"phone"/);
    expect((await quiz(DEMO.otherBranchSecretaryOpenid, 'branchToday', { branchId: DEMO.branchId })).error?.code).toBe('PERMISSION_DENIED');
    expect((await quiz(DEMO.memberOpenid, 'branchToday')).error?.code).toBe('PERMISSION_DENIED');
    const org = await quiz(DEMO.organiserOpenid, 'branchToday', { branchId: DEMO.branchId });
    expect(org.data.answered).toBe(3);
  });

  test('one tap reminds the members who opted in, once a day, counting grants honestly', async () => {
    const missing = store().find('org_members', { branchId: DEMO.branchId, status: 'active', openid: { $ne: null } }).filter((m: any) => m.quizLastDay !== today());
    const optIn = missing.slice(0, 2);
    for (const m of optIn) {
      await grantSubscribe(emu.url, m.openid, [SUBSCRIBE_TEMPLATES.quizRemind.id]);
      const s = await quiz(m.openid, 'subscribe', { accepted: true });
      expect(s.data.remindQuota).toBe(1);
    }
    await fetch(`${emu.url}/api/outbox`, { method: 'DELETE' });
    const before = await quiz(DEMO.secretaryOpenid, 'branchToday');
    expect(before.data.remindable).toBe(2);
    const [r1, r2] = await Promise.all([quiz(DEMO.secretaryOpenid, 'remind'), quiz(DEMO.secretaryOpenid, 'remind')]);
    const sent = [r1, r2].find((r) => !r.data.alreadyReminded)!;
    expect([r1, r2].filter((r) => r.data.alreadyReminded)).toHaveLength(1);
    expect(sent.data).toMatchObject({ sent: 2, failed: 0 });
    expect(sent.data.noGrant).toBe(before.data.missing.length - 2);
    const outbox = (await (await fetch(`${emu.url}/api/outbox`)).json()) as any;
    expect(outbox.messages.map((m: any) => m.openid).sort()).toEqual(optIn.map((m: any) => m.openid).sort());
    expect(outbox.messages.filter((m: any) => m.refused)).toEqual([]);
    expect(outbox.messages[0]).toMatchObject({ page: 'pages/quiz/index' });
    for (const m of optIn) expect(store().findOne('org_members', m._id).quizRemindQuota).toBe(0);
    const after = await quiz(DEMO.secretaryOpenid, 'branchToday');
    expect(after.data).toMatchObject({ remindable: 0, remindedToday: { sent: 2 } });
  });
});

describe('rankings', () => {
  test('members in a branch by days answered; branches in a community by participation rate', async () => {
    const mine = await quiz(DEMO.memberOpenid, 'rankMembers');
    expect(mine.data.rows[0].monthDays).toBe(1);
    expect(mine.data.me).toMatchObject({ memberId: DEMO.memberId, answeredToday: true, streak: 1 });
    const br = await quiz(DEMO.memberOpenid, 'rankBranches', { level: 'community' });
    expect(br.data.scopeName).toBe('馨怡家园社区党委');
    const top = br.data.rows[0];
    expect(top.branchId).toBe(DEMO.branchId);
    expect(top.answeredToday).toBe(3);
    expect(top.todayRate).toBeCloseTo(3 / top.members, 3);
    // the other branch secretary fetched but did not answer
    expect(br.data.rows.find((r: any) => r.branchId === DEMO.otherBranchId).answeredToday).toBe(0);
    const street = await quiz(DEMO.memberOpenid, 'rankBranches', { level: 'street' });
    expect(street.data.rows.length).toBeGreaterThan(br.data.rows.length);
  });

  test('secretary and ranking views cost the same DB operations after 1 and after 30 days of history', async () => {
    const measure = async () => {
      const out: number[] = [];
      for (const [who, a, p] of [
        [DEMO.secretaryOpenid, 'branchToday', {}],
        [DEMO.memberOpenid, 'rankMembers', {}],
        [DEMO.memberOpenid, 'rankBranches', { level: 'community' }],
        [DEMO.organiserOpenid, 'rankBranches', {}],
      ] as const) {
        const r = await quiz(who, a, p);
        expect(r.ok).toBe(true);
        out.push(r.ops.total);
      }
      return out;
    };
    const oneDay = await measure();
    // 30 more days of answer records for every member of the district
    const members = store().find('org_members', { status: 'active' });
    const docs: object[] = [];
    for (let d = 1; d <= 30; d++) {
      const day = addDays(today(), -d);
      for (const m of members) {
        docs.push(pastQuizEntry(m, day, new Date(), { correct: 3, total: 5, wrong: 2, results: [] }, 3, '历史'));
      }
    }
    store().insertMany('points_ledger', docs);
    expect(store().count('points_ledger', {})).toBeGreaterThan(30 * 400);
    expect(await measure()).toEqual(oneDay);
  });
});

describe('question bank', () => {
  const newRows = [
    ['单选', '党的二十大报告提出，必须坚持（ ）是第一生产力。', '科技', '人才', '创新', '改革', '', '', 'A', '报告：必须坚持科技是第一生产力、人才是第一资源、创新是第一动力。', '二十大报告', '二十大,科教兴国', '1'],
    ['判断', '党员领导干部可以不参加所在党支部的组织生活。', '', '', '', '', '', '', '错误', '党员领导干部必须以普通党员身份参加所在党支部的组织生活（双重组织生活）。', '中国共产党支部工作条例（试行）', '党建', '2'],
  ];

  test('xlsx import: a row-by-row report, duplicates detected, the good rows imported and the bad ones listed', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('题库');
    const badRows = [
      ['多选', '缺少答案的题', '甲', '乙', '', '', '', '', '', '解析', '党章', '', '2'],
      ['问答', '题型不对', '', '', '', '', '', '', 'A', '解析', '党章', '', '9'],
    ];
    for (const r of [...BANK_TEMPLATE_ROWS, ...newRows, ...badRows]) ws.addRow(r);
    const file = b64(Buffer.from(await wb.xlsx.writeBuffer()));
    const before = store().count('quiz_questions', {});
    const bad1 = BANK_TEMPLATE_ROWS.length + newRows.length + 1;
    const dry = await quiz(DEMO.organiserOpenid, 'importBank', { fileName: '题库.xlsx', contentBase64: file, dryRun: true });
    expect(dry.ok).toBe(true);
    expect(dry.data).toMatchObject({ dryRun: true, total: BANK_TEMPLATE_ROWS.length - 1 + newRows.length + 2, needsChanges: 2, next: null });
    expect(dry.data.errors).toEqual([
      { row: bad1, message: '答案不能为空' },
      { row: bad1 + 1, message: '题型“问答”不对，应为 单选、多选、判断 或 填空' },
    ]);
    // the three template questions are already in the demo bank; the others would be written
    expect(dry.data.skipped).toBe(3);
    expect(dry.data.created).toBe(BANK_TEMPLATE_ROWS.length - 1 - 3 + newRows.length);
    expect(dry.data.problemsFile.url).toMatch(/^http/);
    expect(store().count('quiz_questions', {})).toBe(before);

    const real = await quiz(DEMO.organiserOpenid, 'importBank', { fileName: '题库.xlsx', contentBase64: file, dryRun: false });
    expect(real.data).toMatchObject({ created: dry.data.created, skipped: 3, needsChanges: 2 });
    expect(store().count('quiz_questions', {})).toBe(before + dry.data.created);
    expect(store().count('quiz_questions', { stem: '缺少答案的题' })).toBe(0);
    const again = await quiz(DEMO.organiserOpenid, 'importBank', { fileName: '题库.xlsx', contentBase64: file, dryRun: false });
    expect(again.data.created).toBe(0);
    expect(store().count('quiz_questions', {})).toBe(before + dry.data.created);
  });

  test('csv with a wrong header, a 10 MB file, a non-organiser: clear errors, nothing written', async () => {
    const before = store().count('quiz_questions', {});
    const header = await quiz(DEMO.organiserOpenid, 'importBank', { fileName: 'a.csv', contentBase64: csv([['姓名', '手机号'], ['x', 'A']]), dryRun: false });
    expect(header.data.errors[0]).toMatchObject({ row: 1 });
    expect(header.data.fatal).toContain('找不到表头');
    const big = 'A'.repeat(10 * 1024 * 1024);
    const res = await fetch(`${emu.url}/api/functions/quiz`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': DEMO.organiserOpenid },
      body: JSON.stringify({ action: 'importBank', payload: { fileName: 'big.xlsx', contentBase64: big } }),
    });
    expect(res.status).toBe(413);
    const justOver = await quiz(DEMO.organiserOpenid, 'importBank', { fileName: 'big.csv', contentBase64: 'A'.repeat(96_004) });
    expect(justOver.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('上传文件导入') });
    const notXlsx = await quiz(DEMO.organiserOpenid, 'importBank', { fileName: 'x.xlsx', contentBase64: b64('hello') });
    expect(notXlsx.error?.message).toContain('无法读取');
    const member = await quiz(DEMO.secretaryOpenid, 'importBank', { fileName: 'a.csv', contentBase64: csv(BANK_TEMPLATE_ROWS) });
    expect(member.error?.code).toBe('PERMISSION_DENIED');
    expect(store().count('quiz_questions', {})).toBe(before);
  });

  test('status, pin for a future date, retire: a retired question cannot be pinned', async () => {
    const st = await quiz(DEMO.organiserOpenid, 'bankStatus');
    expect(st.data).toMatchObject({ orgId: 'd1', perDay: 5, cycle: 1 });
    expect(st.data.active).toBe(store().count('quiz_questions', { status: 'active' }));
    expect(st.data.freshDays).toBe(Math.floor((st.data.active - 5) / 5));
    const list = await quiz(DEMO.organiserOpenid, 'listQuestions', { status: 'active', page: 0 });
    expect(list.data.questions).toHaveLength(20);
    const [q1, q2] = list.data.questions.filter((q: any) => !set.some((s) => s.id === q.id));
    const retired = await quiz(DEMO.organiserOpenid, 'retireQuestion', { id: q2.id });
    expect(retired.data.status).toBe('retired');
    const tomorrow = addDays(today(), 1);
    const badPin = await quiz(DEMO.organiserOpenid, 'pin', { day: tomorrow, questionIds: [q1.id, q2.id] });
    expect(badPin.error?.code).toBe('FAILED_PRECONDITION');
    expect((await quiz(DEMO.organiserOpenid, 'pin', { day: today(), questionIds: [q1.id] })).error?.message).toBe('这一天的题目已经发布，不能再更改');
    expect((await quiz(DEMO.organiserOpenid, 'pin', { day: addDays(today(), -1), questionIds: [q1.id] })).error?.code).toBe('INVALID_ARGUMENT');
    const pin = await quiz(DEMO.organiserOpenid, 'pin', { day: tomorrow, questionIds: [q1.id] });
    expect(pin.ok).toBe(true);
    expect((await quiz(DEMO.organiserOpenid, 'bankStatus')).data.pinnedDays).toEqual([tomorrow]);
    const edit = await quiz(DEMO.organiserOpenid, 'editQuestion', { id: q1.id, explanation: '新的解析', tags: ['七一'] });
    expect(edit.data).toMatchObject({ explanation: '新的解析', tags: ['七一'] });
    expect((await quiz(DEMO.memberOpenid, 'retireQuestion', { id: q1.id })).error?.code).toBe('PERMISSION_DENIED');
  });
});

describe('points', () => {
  test('the member sees their ledger with reasons and sources, and the rules', async () => {
    const h = await call('points', DEMO.memberOpenid, 'history');
    expect(h.data).toMatchObject({ total: 5, today: 5, dailyCap: 20 });
    expect(h.data.entries[0]).toMatchObject({ points: 5, source: { type: 'quiz', id: today() } });
    expect(h.data.entries[0].lines.length).toBe(2);
    const r = await call('points', DEMO.memberOpenid, 'rules');
    expect(r.data.current.values['quiz.correct']).toBe(1);
    expect(r.data.upcoming).toBeNull();
    expect(r.data.canEdit).toBe(false);
  });

  test('an organiser changes the rules from tomorrow; members see the change in advance', async () => {
    const cur = (await call('points', DEMO.organiserOpenid, 'rules')).data;
    expect(cur.canEdit).toBe(true);
    const next = { ...cur.current, values: { ...cur.current.values, 'quiz.correct': 2 }, dailyCap: 30 };
    const s = await call('points', DEMO.organiserOpenid, 'setRules', next);
    expect(s.data.upcoming).toMatchObject({ from: addDays(today(), 1), rules: { dailyCap: 30 } });
    expect(s.data.current.values['quiz.correct']).toBe(1);
    const seen = await call('points', DEMO.memberOpenid, 'rules');
    expect(seen.data.upcoming.rules.values['quiz.correct']).toBe(2);
    const bad = await call('points', DEMO.organiserOpenid, 'setRules', { ...next, dailyCap: -1 });
    expect(bad.error?.code).toBe('INVALID_ARGUMENT');
    expect((await call('points', DEMO.secretaryOpenid, 'setRules', next)).error?.code).toBe('PERMISSION_DENIED');
  });
});
