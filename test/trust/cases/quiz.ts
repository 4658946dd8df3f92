import { toStoredQuestion } from '../../../core/quiz/bank';
import { DEFAULT_PER_DAY, setId } from '../../../core/quiz/daily-set';
import { addDays, dayOf } from '../../../core/day';
import { ledgerId } from '../../../core/points/ledger';
import { openDaysFor } from '../../../core/quiz/practice';
import { CALLER_KINDS, HOME, type CallerInfo, type Harness } from '../harness';
import type { CaseTable } from './types';

 

function expect(cond: unknown, message: string): void {
  if (!cond) throw new Error(message);
}

const isMember = (c: CallerInfo) => c.memberId !== null;
const stored = (h: Harness, c: CallerInfo) => h.store.findOne('org_members', c.memberId!);
const scopeOf = (h: Harness, c: CallerInfo): string | null => (c.memberId ? (stored(h, c)?.scopeId ?? null) : null);

/** The district's bank (seeded at d1): every caller's daily quiz draws from it. */
const bank = (h: Harness) => h.store.find('quiz_questions', { orgId: HOME.districtId, status: 'active' }, { sort: { _id: 1 } });

/** A fresh single-choice question in the bank of `orgId`, written straight into the store. */
function freshQuestion(h: Harness, orgId: string): string {
  const n = h.seq();
  const q = toStoredQuestion(
    orgId,
    {
      type: 'single',
      stem: `试验题 ${n}：支部党员大会一般每季度召开几次？`,
      options: [
        { id: 'A', text: '一次' },
        { id: 'B', text: '两次' },
        { id: 'C', text: '三次' },
      ],
      answer: ['A'],
      explanation: '《中国共产党支部工作条例（试行）》规定，支部党员大会一般每季度召开 1 次。',
      source: '支部工作条例',
      tags: ['支部工作'],
      difficulty: 1,
    },
    new Date(),
  );
  h.store.put('quiz_questions', q, 'insert');
  return q._id;
}

/** A bank question this caller kind alone has got wrong (the wrong-book fixture). */
const markerQuestion = (h: Harness, c: CallerInfo) => bank(h)[CALLER_KINDS.indexOf(c.kind)]._id as string;

/**
 * Practice must not hand out the answers of a daily set its caller can still submit: a member who has
 * not answered today (a throwaway one, so no caller's day changes) gets none of today's questions in
 * practice and no check of them.
 */
async function answersNeverTravelEarly(h: Harness): Promise<void> {
  const n = h.seq();
  const openid = `trust-quiz-${n}`;
  const at = new Date();
  h.store.put(
    'org_members',
    {
      _id: `m-trust-quiz-${n}`,
      name: `答题党员${n}`,
      phone: `1997${String(1_000_000 + n).padStart(7, '0')}`,
      openid,
      branchId: HOME.farBranchId,
      groupId: null,
      path: [HOME.districtId, HOME.otherStreetId, 'd1-s2-c1', HOME.farBranchId],
      role: 'member',
      status: 'active',
      createdAt: at,
      updatedAt: at,
    },
    'insert',
  );
  const today = await h.call('quiz', 'today', {}, openid);
  const q = today.data.questions[0];
  const chk = await h.call('quiz', 'checkPractice', { answers: [{ questionId: q.id, choice: [q.options[0].id] }] }, openid);
  expect(chk.error?.code === 'FAILED_PRECONDITION' && !chk.raw.includes('"answer"'), `checkPractice on an unanswered daily question: ${chk.error?.code ?? 'ok'}`);
  const setIds = new Set(today.data.questions.map((x: any) => x.id));
  for (const tag of new Set<string>(today.data.questions.flatMap((x: any) => x.tags))) {
    const p = await h.call('quiz', 'practice', { mode: 'tag', tag, size: 20 }, openid);
    expect(!p.data.questions.some((x: any) => setIds.has(x.id)), `practice by ${tag} offers an unanswered daily question`);
  }
}

const csvBase64 = (lines: string[]) => Buffer.from('\uFEFF' + lines.join('\r\n'), 'utf8').toString('base64');

let pinDays = 0;

export const quizCases: CaseTable = {
  today: {
    payload: () => ({}),
    check: (h, caller, r) => {
      expect(r.data.day === dayOf(new Date()) && r.data.questions.length > 0, 'no questions today');
      expect(r.data.questions.every((q: any) => !('answer' in q) && !('explanation' in q)), 'today carries answers');
      expect(r.data.remindQuota === (stored(h, caller).quizRemindQuota ?? 0), 'remindQuota is not the caller\'s');
      // none of these callers oversees their own branch (the organisers sit in the district's 机关党支部)
      expect(r.data.unranked === false, 'an ordinary caller is told they are unranked');
    },
  },

  submit: {
    // today's set fetched as this caller, answered with the stored answers: one submission per caller
    payload: async (h, caller) => {
      const day = dayOf(new Date());
      if (!isMember(caller)) return { day, answers: [{ questionId: 'q-none', choice: ['A'] }] };
      const today = await h.call('quiz', 'today', {}, caller.openid);
      if (!today.ok) throw new Error(`quiz.today as ${caller.kind}: ${today.error?.code}`);
      const answers = today.data.questions.map((q: any) => ({ questionId: q.id, choice: h.store.findOne('quiz_questions', q.id).answer }));
      return { day: today.data.day, answers };
    },
    check: (h, caller, r) => {
      expect(r.data.correct === r.data.total && r.data.total > 0 && !r.data.duplicate, `submission ${r.data.correct}/${r.data.total}`);
      const entry = h.store.findOne('points_ledger', ledgerId({ type: 'quiz', id: r.data.day }, caller.memberId!));
      expect(entry && entry.memberId === caller.memberId, 'no ledger entry of the caller');
      expect(stored(h, caller).quizLastDay === r.data.day, 'the caller\'s counters not updated');
    },
  },

  wrongBook: {
    // each caller has missed a different question: the book must hold that one and no one else's
    payload: (h, caller) => {
      if (isMember(caller)) {
        const qid = markerQuestion(h, caller);
        h.store.put(
          'points_ledger',
          {
            _id: ledgerId({ type: 'quiz', id: '2024-03-01' }, caller.memberId!),
            memberId: caller.memberId,
            branchId: caller.branchId,
            day: '2024-03-01',
            at: new Date('2024-03-01T02:00:00Z'),
            points: 1,
            lines: [{ rule: 'quiz.participate', points: 1, reason: '参与每日答题' }],
            capped: 0,
            reason: '每日答题 2024-03-01：答对 0/1',
            source: { type: 'quiz', id: '2024-03-01' },
            quiz: { orgId: HOME.districtId, setId: 'trust', correct: 0, total: 1, wrong: 1, streak: 1, results: [{ id: qid, correct: false, choice: ['Z'] }] },
          },
          'insert',
        );
      }
      return {};
    },
    check: (h, caller, r) => {
      const ids = new Set((r.data.items as any[]).map((i) => i.id));
      expect(ids.has(markerQuestion(h, caller)), 'the caller\'s own missed question is not in the book');
      const others = CALLER_KINDS.filter((k) => k !== caller.kind && k !== 'unknown' && k !== 'applicant').map((k) => bank(h)[CALLER_KINDS.indexOf(k)]._id);
      expect(!others.some((id) => ids.has(id)), 'another member\'s missed question is in the book');
    },
  },

  // the caller's own wrong book (the wrongBook case's miss): that question and no one else's
  practice: {
    payload: () => ({ mode: 'wrong', size: 20 }),
    check: (h, caller, r) => {
      const ids = r.data.questions.map((q: any) => q.id);
      expect(ids.length === 1 && ids[0] === markerQuestion(h, caller), `practice offered ${ids.join(',')}`);
      expect(r.data.questions.every((q: any) => !('answer' in q)), 'practice carries answers');
    },
  },

  // practice checks only questions the caller has been asked: here the one in their wrong book
  checkPractice: {
    payload: (h, caller) => {
      const id = isMember(caller) ? markerQuestion(h, caller) : bank(h)[0]._id;
      return { answers: [{ questionId: id, choice: h.store.findOne('quiz_questions', id).answer }] };
    },
    check: async (h, caller, r) => {
      expect(r.data.correct === 1 && r.data.total === 1, `practice check ${r.data.correct}/${r.data.total}`);
      expect(r.data.mastered[0] === markerQuestion(h, caller), 'the caller\'s wrong-book question not mastered');
      if (caller.kind === 'member') await answersNeverTravelEarly(h);
    },
  },

  // the topics of questions already asked in a set closed for the caller: the seed's past days and
  // today's, which each has answered (the walk is far from wrapping, so practice holds none back)
  tags: {
    payload: () => ({}),
    check: (h, c, r) => {
      // a question counts once, by the last set that asked it, unless that set is still open to the caller
      // (today's unanswered, or yesterday's until 00:30)
      const open = openDaysFor(new Date(), (c.memberId && h.store.findOne('org_members', c.memberId)) || {});
      const asked = new Map<string, { day: string; tags: string[] }>();
      const sets = h.store.find('quiz_sets', { orgId: HOME.districtId, materialised: true }, { sort: { day: 1 } });
      for (const s of sets) for (const q of s.questions) asked.set(q._id, { day: s.day, tags: q.tags });
      const expected = new Map<string, number>();
      for (const { day, tags } of asked.values()) if (!open.includes(day)) for (const t of tags) expected.set(t, (expected.get(t) ?? 0) + 1);
      const got = new Map<string, number>(r.data.tags.map((t: any) => [t.tag, t.count]));
      expect(got.size === expected.size && [...expected].every(([t, n]) => got.get(t) === n), `tags ${JSON.stringify(r.data.tags)}`);
    },
  },

  subscribe: {
    payload: () => ({ accepted: true }),
    check: (h, caller, r) => expect(r.data.remindQuota === stored(h, caller).quizRemindQuota, 'remindQuota is not the caller\'s'),
  },

  branchToday: {
    payload: () => ({ branchId: HOME.branchId }),
    check: (_h, _c, r) => expect(r.data.branchId === HOME.branchId && r.data.members > 0, 'not the home branch'),
  },

  remind: {
    payload: () => ({}),
    check: (h, caller, r) => {
      expect(!r.data.alreadyReminded, 'already reminded');
      expect(h.store.findOne('quiz_reminders', `${caller.branchId}:${dayOf(new Date())}`), 'no reminder record for the caller\'s branch');
    },
  },

  rankMembers: {
    payload: () => ({}),
    check: (_h, caller, r) => expect(r.data.me?.memberId === caller.memberId, 'my row is not the caller\'s'),
  },

  rankBranches: {
    payload: () => ({ level: 'community' }),
    check: (_h, _c, r) => expect(r.data.rows.length > 0, 'no branches ranked'),
  },

  bankStatus: {
    payload: () => ({}),
    check: (h, caller, r) => expect(r.data.orgId === scopeOf(h, caller), `bank of ${r.data.orgId}`),
  },

  listQuestions: {
    payload: (h, caller) => {
      const scope = scopeOf(h, caller);
      if (scope) freshQuestion(h, scope);
      return { status: 'active' };
    },
    check: (h, caller, r) => {
      expect(r.data.questions.length > 0, 'own bank listed empty');
      expect(r.data.questions.every((q: any) => q.orgId === scopeOf(h, caller)), 'a question of another bank listed');
    },
  },

  importBank: {
    payload: (h) => ({
      fileName: '题库.csv',
      dryRun: false,
      contentBase64: csvBase64([
        '题型,题干,选项A,选项B,选项C,选项D,选项E,选项F,答案,解析,出处,标签,难度',
        `判断,导入试验题 ${h.seq()}：党支部应当定期召开组织生活会。,,,,,,,正确,支部工作条例规定组织生活会一般每年召开 1 次。,支部工作条例,支部工作,1`,
      ]),
    }),
    check: (h, caller, r) => {
      expect(r.data.created === 1 && r.data.errors.length === 0, `import report ${JSON.stringify(r.data)}`);
      expect(h.store.count('quiz_questions', { orgId: scopeOf(h, caller), stem: { $regex: '^导入试验题' } }) > 0, 'imported into another bank');
    },
  },

  // a bank file the caller uploaded to their own import folder through the gateway, as the H5 app does
  importBankFile: {
    payload: async (h, caller) => {
      const dir = `imports/quiz/${caller.openid}/`;
      const bytes = Buffer.from(
        '\uFEFF题型,题干,答案\r\n' + `判断,存储导入试验题 ${h.seq()}：党支部应当定期召开组织生活会。（ ）,对\r\n`,
        'utf8',
      );
      const t = await fetch(`${h.emu.url}/api/storage/upload-url`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-wx-openid': caller.openid },
        body: JSON.stringify({ cloudPath: `${dir}${h.seq()}.csv` }),
      }).then((r) => r.json());
      await fetch(`${h.emu.url}${t.url}`, { method: 'PUT', body: bytes });
      return { fileID: t.fileID, fileName: '题库.csv', dryRun: false };
    },
    check: (h, caller, r) => {
      expect(r.data.created === 1 && r.data.needsChanges === 0 && r.data.next === null, `import report ${JSON.stringify(r.data)}`);
      expect(h.store.count('quiz_questions', { orgId: scopeOf(h, caller), stem: { $regex: '^存储导入试验题' } }) > 0, 'imported into another bank');
    },
  },

  // a question of the home community's bank: inside the street organiser's subtree only
  editQuestion: {
    payload: (h) => ({ id: freshQuestion(h, 'd1-s1-c1'), explanation: '修改后的解析：每季度召开一次。' }),
    check: (h, _c, r) => expect(h.store.findOne('quiz_questions', r.data.id)?.explanation === '修改后的解析：每季度召开一次。', 'not saved'),
  },

  retireQuestion: {
    payload: (h) => ({ id: freshQuestion(h, 'd1-s1-c1'), retired: true }),
    check: (h, _c, r) => expect(h.store.findOne('quiz_questions', r.data.id)?.status === 'retired', 'not retired'),
  },

  // a question of the home street's bank, pinned to a day of its own
  pin: {
    // a day of its own for each pin, within the year ahead a pin may name (the harness's sequence counts
    // every call of a run, and a full fault sweep goes past a year)
    payload: (h) => ({ day: addDays(dayOf(new Date()), 30 + (++pinDays % 300)), questionIds: [freshQuestion(h, HOME.streetId)] }),
    check: (h, caller, r) => {
      const set = h.store.findOne('quiz_sets', setId(scopeOf(h, caller)!, r.data.day));
      expect(set && set.orgId === scopeOf(h, caller) && set.pinned[0] === r.data.questionIds[0], 'pin not stored for the caller\'s org');
    },
  },

  // the same number as before, so later calls of the run see the quiz unchanged
  setPerDay: {
    payload: (h, caller) => {
      const scope = scopeOf(h, caller);
      return { perDay: (scope && h.store.findOne('quiz_config', scope)?.perDay) || DEFAULT_PER_DAY };
    },
    check: (h, caller) => expect(h.store.findOne('quiz_config', scopeOf(h, caller)!), 'no config stored for the caller\'s org'),
  },
};
