/** Which answers count, the points a daily set earns, and the wrong book. */
import { AppError } from '../../core/fn/errors';
import { checkAnswers, foldWrongBook, masterAfterPractice, quizAwardLines } from '../../core/quiz/answers';
import { DEFAULT_RULES } from '../../core/points/rules';
import { JUDGE_OPTIONS, type StoredQuestion } from '../../core/quiz/question';

const q = (id: string, type: StoredQuestion['type'] = 'single'): Pick<StoredQuestion, '_id' | 'type' | 'options'> => ({
  _id: id,
  type,
  options: type === 'judge' ? JUDGE_OPTIONS : ['A', 'B', 'C', 'D'].map((o) => ({ id: o, text: o })),
});
const set = [q('q1'), q('q2', 'multi'), q('q3', 'judge')];
const thrown = (f: () => unknown): AppError => {
  try {
    f();
  } catch (e) {
    return e as AppError;
  }
  throw new Error('did not throw');
};

describe('checkAnswers', () => {
  it('maps each question to its choice when the answers cover the set once each', () => {
    const out = checkAnswers(set, [
      { questionId: 'q3', choice: ['a'] },
      { questionId: 'q1', choice: ['B'] },
      { questionId: 'q2', choice: ['A', 'C'] },
    ]);
    expect([...out]).toEqual([
      ['q3', ['a']],
      ['q1', ['B']],
      ['q2', ['A', 'C']],
    ]);
  });
  it('refuses a question not in the set, a second answer, and an impossible choice', () => {
    const e = thrown(() =>
      checkAnswers(set, [
        { questionId: 'qx', choice: ['A'] },
        { questionId: 'q1', choice: ['A'] },
        { questionId: 'q1', choice: ['B'] },
        { questionId: 'q2', choice: ['Z'] },
        { questionId: 'q3', choice: ['A', 'B'] },
      ]),
    );
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toBe('这道题不在本次题目中');
    expect((e.details as { problems: Array<{ questionId: string; message: string }> }).problems).toEqual([
      { questionId: 'qx', message: '这道题不在本次题目中' },
      { questionId: 'q1', message: '同一道题只能作答一次' },
      { questionId: 'q2', message: '没有选项 Z' },
      { questionId: 'q3', message: '这道题只能选一个答案' },
    ]);
  });
  it('names the questions left unanswered', () => {
    const e = thrown(() => checkAnswers(set, [{ questionId: 'q2', choice: ['A'] }]));
    expect(e.message).toBe('还有 2 道题没有作答');
    expect(e.details).toEqual({ missing: ['q1', 'q3'] });
  });
});

describe('quizAwardLines', () => {
  it('participation and one line for the right answers', () => {
    expect(quizAwardLines(DEFAULT_RULES, 3, 5, 2, false)).toEqual([
      { rule: 'quiz.participate', points: 1, reason: '参与每日答题' },
      { rule: 'quiz.correct', points: 3, reason: '答对 3 题' },
    ]);
  });
  it('a full set and a streak milestone add their lines', () => {
    const lines = quizAwardLines(DEFAULT_RULES, 5, 5, 30, false);
    expect(lines.map((l) => [l.rule, l.points])).toEqual([
      ['quiz.participate', 1],
      ['quiz.correct', 5],
      ['quiz.fullSet', 2],
      ['quiz.streak', 10],
    ]);
    expect(lines[3].reason).toBe('连续答题 30 天');
  });
  it('follows the rules in force', () => {
    const rules = { ...DEFAULT_RULES, values: { ...DEFAULT_RULES.values, 'quiz.correct': 2 }, streakBonuses: [] };
    expect(quizAwardLines(rules, 5, 5, 30, false).map((l) => l.points)).toEqual([1, 10, 2]);
  });
  it('nothing for a member who answers for the record only', () => {
    expect(quizAwardLines(DEFAULT_RULES, 5, 5, 30, true)).toEqual([]);
  });
});

describe('foldWrongBook', () => {
  const r = (id: string, correct: boolean, choice = ['A']) => ({ id, correct, choice });
  // newest first, as the ledger query orders them
  const entries = [
    { day: '2025-06-03', quiz: { results: [r('q1', false, ['C']), r('q2', true)] } },
    { day: '2025-06-02', quiz: { results: [r('q2', false, ['B']), r('q3', false)] } },
    { day: '2025-06-01', quiz: { results: [r('q1', false, ['B'])] } },
    { day: '2025-05-31' },
  ];
  it('keeps each missed question with its latest miss and how often it was missed', () => {
    expect(Object.fromEntries(foldWrongBook(entries, {}))).toEqual({
      q1: { lastChoice: ['C'], lastDay: '2025-06-03', times: 2 },
      q2: { lastChoice: ['B'], lastDay: '2025-06-02', times: 1 },
      q3: { lastChoice: ['A'], lastDay: '2025-06-02', times: 1 },
    });
  });
  it('leaves out what was mastered on or after the latest miss, not before', () => {
    const book = foldWrongBook(entries, { q1: '2025-06-02', q2: '2025-06-02', q3: '2025-06-05' });
    expect([...book.keys()]).toEqual(['q1']);
  });
});

describe('masterAfterPractice', () => {
  const book = new Map([['q1', { lastChoice: ['B'], lastDay: '2025-06-01', times: 1 }]]);
  it('marks only right answers that are in the wrong book, keeping earlier ones', () => {
    expect(masterAfterPractice(book, { q9: '2025-05-01' }, ['q1', 'q2'], '2025-06-04')).toEqual({
      mastered: ['q1'],
      ids: { q9: '2025-05-01', q1: '2025-06-04' },
    });
  });
  it('nothing to write when no right answer was in the book', () => {
    expect(masterAfterPractice(book, {}, ['q2'], '2025-06-04').mastered).toEqual([]);
  });
});
