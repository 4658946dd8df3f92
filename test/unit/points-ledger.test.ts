/** Points rules and the ledger: the daily cap, streak tiers, scheduled changes, deterministic ids. */
import { applyCap, awardPoints, awardPointsMarked, buildEntry, ledgerId, pointsToday } from '../../core/points/ledger';
import { DEFAULT_RULES, effectiveRules, ruleSetInput, scheduleRules, streakBonus } from '../../core/points/rules';

test('the daily cap cuts the later lines first and reports what it held back', () => {
  const lines = [
    { rule: 'quiz.participate' as const, points: 1, reason: 'a' },
    { rule: 'quiz.correct' as const, points: 5, reason: 'b' },
    { rule: 'quiz.fullSet' as const, points: 2, reason: 'c' },
  ];
  expect(applyCap(lines, 0, 20)).toMatchObject({ points: 8, capped: 0 });
  expect(applyCap(lines, 15, 20)).toMatchObject({ points: 5, capped: 3, lines: [{ points: 1 }, { points: 4 }, { points: 0 }] });
  expect(applyCap(lines, 25, 20)).toMatchObject({ points: 0, capped: 8 });
});

test('today\'s points count only when the stored day is today', () => {
  expect(pointsToday({ pointsDay: '2025-07-01', pointsDayTotal: 7 }, '2025-07-01')).toBe(7);
  expect(pointsToday({ pointsDay: '2025-06-30', pointsDayTotal: 7 }, '2025-07-01')).toBe(0);
});

test('streak bonuses: the largest tier whose length divides the streak', () => {
  expect(streakBonus(DEFAULT_RULES, 7)).toEqual({ days: 7, points: 3 });
  expect(streakBonus(DEFAULT_RULES, 8)).toBeNull();
  expect(streakBonus({ ...DEFAULT_RULES, streakBonuses: [{ days: 7, points: 3 }, { days: 14, points: 8 }] }, 14)).toEqual({ days: 14, points: 8 });
});

test('a rules change applies from tomorrow; today keeps the old rules', () => {
  const next = { ...DEFAULT_RULES, dailyCap: 50 };
  const doc = scheduleRules(null, 'd1', next, '2025-07-01', '2025-07-02', { name: '王', at: new Date() });
  expect(effectiveRules(doc, '2025-07-01').dailyCap).toBe(20);
  expect(effectiveRules(doc, '2025-07-02').dailyCap).toBe(50);
  // a second change the next day folds the first into the current rules
  const again = scheduleRules(doc, 'd1', { ...DEFAULT_RULES, dailyCap: 10 }, '2025-07-02', '2025-07-03', { name: '王', at: new Date() });
  expect(again.current.dailyCap).toBe(50);
  expect(effectiveRules(again, '2025-07-03').dailyCap).toBe(10);
  expect(again.history).toHaveLength(2);
  // the same save sent again (a retry after a lost answer) is not a second change
  const retried = scheduleRules(again, 'd1', { ...DEFAULT_RULES, dailyCap: 10 }, '2025-07-02', '2025-07-03', { name: '王', at: new Date() });
  expect(retried.history).toHaveLength(2);
  expect(effectiveRules(retried, '2025-07-03').dailyCap).toBe(10);
  expect(ruleSetInput.safeParse({ ...DEFAULT_RULES, dailyCap: 0 }).success).toBe(false);
  expect(ruleSetInput.safeParse({ ...DEFAULT_RULES, values: { ...DEFAULT_RULES.values, bogus: 1 } }).success).toBe(false);
});

test('entries have deterministic ids; a duplicate insert returns the stored entry and writes nothing else', async () => {
  expect(ledgerId({ type: 'quiz', id: '2025-07-01' }, 'm1')).toBe('quiz:2025-07-01:m1');
  const input = {
    member: { _id: 'm1', branchId: 'b1', pointsDay: '2025-07-01', pointsDayTotal: 18 },
    day: '2025-07-01',
    now: new Date(),
    rules: DEFAULT_RULES,
    lines: [{ rule: 'activity.signin' as const, points: 5, reason: '签到' }],
    reason: '主题党日签到',
    source: { type: 'activity', id: 'a1' },
  };
  expect(buildEntry(input)).toMatchObject({ _id: 'activity:a1:m1', points: 2, capped: 3 });
  const stored = new Map<string, any>();
  const updates: any[] = [];
  const db: any = {
    command: { inc: (n: number) => ({ $inc: n }) },
    // the award is one transaction: the callback gets the same handle
    runTransaction: async (fn: (tx: any) => Promise<unknown>) => fn(db),
    collection: (name: string) => ({
      doc: (id: string) => ({
        get: async () => ({ data: stored.get(id) ?? null }),
        set: async ({ data }: any) => stored.set(id, { _id: id, ...data }),
        update: async ({ data }: any) => updates.push({ name, id, data }),
      }),
    }),
  };
  const first = await awardPoints(db, input);
  const second = await awardPoints(db, input);
  expect(first.duplicate).toBe(false);
  expect(second).toMatchObject({ duplicate: true, entry: { points: 2 } });
  expect(updates).toHaveLength(1);
  expect(updates[0]).toMatchObject({ name: 'org_members', id: 'm1', data: { pointsTotal: { $inc: 2 }, pointsDayTotal: { $inc: 2 } } });
});

test('a marked award lands exactly once without a transaction: a retry after a failure between the writes finishes it', async () => {
  const ledger = new Map<string, any>();
  const member: any = { _id: 'm1', pointsTotal: 10, quizRecent: ['2025-07-01'] };
  let failUpdate = 1;
  const dup = Object.assign(new Error('duplicate key'), { errCode: -502001, errMsg: 'E11000 duplicate key error' });
  const db: any = {
    command: { inc: (n: number) => ({ $inc: n }), nin: (xs: string[]) => ({ $nin: xs }), set: (v: unknown) => ({ $set: v }) },
    collection: (name: string) => ({
      add: async ({ data }: any) => {
        if (ledger.has(data._id)) throw dup;
        ledger.set(data._id, structuredClone(data));
      },
      doc: (id: string) => ({ get: async () => ({ data: ledger.get(id) ?? null }) }),
      where: (q: any) => ({
        update: async ({ data }: any) => {
          expect(name).toBe('org_members');
          if (failUpdate-- > 0) throw new Error('timeout');
          const matches = q._id === member._id && !(q.quizRecent?.$nin ?? []).some((d: string) => member.quizRecent.includes(d));
          if (!matches) return { stats: { updated: 0 } };
          for (const [k, v] of Object.entries<any>(data)) member[k] = v?.$inc !== undefined ? (member[k] ?? 0) + v.$inc : v?.$set ?? v;
          return { stats: { updated: 1 } };
        },
      }),
    }),
  };
  const award = (correct: number) =>
    awardPointsMarked(db, {
      member: { _id: 'm1', branchId: 'b1' },
      day: '2025-07-02',
      now: new Date(),
      rules: DEFAULT_RULES,
      lines: [{ rule: 'quiz.correct' as const, points: correct, reason: '答对' }],
      reason: '每日答题',
      source: { type: 'quiz', id: '2025-07-02' },
      unapplied: { quizRecent: db.command.nin(['2025-07-02']) },
      memberPatch: (e) => ({ quizRecent: db.command.set([...member.quizRecent, e.day]), quizCorrect: db.command.inc(e.points) }),
    });
  // the entry lands, the member update fails: nothing was acknowledged
  await expect(award(3)).rejects.toThrow('timeout');
  expect(ledger.size).toBe(1);
  expect(member.pointsTotal).toBe(10);
  // the retry (other answers this time) finds the stored entry and adds its points, once
  const retry = await award(5);
  expect(retry).toMatchObject({ duplicate: true, entry: { points: 3 } });
  expect(member).toMatchObject({ pointsTotal: 13, quizCorrect: 3, quizRecent: ['2025-07-01', '2025-07-02'] });
  // a third call or a second device: the day is counted, nothing changes
  expect(await award(3)).toMatchObject({ duplicate: true });
  expect(member).toMatchObject({ pointsTotal: 13, quizCorrect: 3 });
});
