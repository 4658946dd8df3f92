/** 填空题: blanks in the stem, accepted answers per blank, and scoring that forgives width, spaces and end punctuation. */
import fc from 'fast-check';
import { blankCorrect, countBlanks, fillAnswerText, fillCorrect, normaliseFill, parseFillAnswer, splitStem } from '../../core/quiz/fill';
import { choiceProblem, scoreQuestion, toPublic, type StoredQuestion } from '../../core/quiz/question';

/** full-width forms of ASCII letters, digits and punctuation (what a Chinese IME types) */
const toFullWidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replace(/ /g, '\u3000');
const answerText = fc.stringMatching(/^[\u4e00-\u4e2fA-Za-z0-9]{1,12}$/);
const spaces = fc.array(fc.constantFrom(' ', '\u3000', '\t'), { maxLength: 3 }).map((a) => a.join(''));
const endPunct = fc.constantFrom('', '。', '.', '，', '；', ';', '！', '?', '？', '…');

describe('blanks in the stem', () => {
  test.each([
    ['党的根本宗旨是全心全意为（ ）服务。', 1],
    ['中共一大于( )年在（　）召开', 2],
    ['党员要坚持____，做到____。', 2],
    ['党员要坚持＿＿＿＿。', 1],
    ['全心全意（____）服务', 1],
    ['没有空的题干', 0],
  ])('%s has %i blanks', (stem, n) => {
    expect(countBlanks(stem)).toBe(n);
    expect(splitStem(stem)).toHaveLength(n + 1);
  });
});

describe('answers as banks write them', () => {
  test('blanks separated by ；/; or lines, alternatives by |', () => {
    expect(parseFillAnswer(['1921；上海|上海市'])).toEqual(['1921', '上海|上海市']);
    expect(parseFillAnswer(['人民 | 人民群众'])).toEqual(['人民|人民群众']);
    expect(parseFillAnswer(['甲;乙\n丙'])).toEqual(['甲', '乙', '丙']);
    expect(parseFillAnswer(['甲', '', '乙'])).toEqual(['甲', '乙']);
    expect(fillAnswerText(['1921', '上海|上海市'])).toBe('1921；上海（或 上海市）');
  });
});

describe('scoring', () => {
  test('any accepted answer counts; a wrong or empty one does not', () => {
    expect(blankCorrect('上海|上海市', '上海市')).toBe(true);
    expect(blankCorrect('上海|上海市', '北京')).toBe(false);
    expect(blankCorrect('上海', '')).toBe(false);
    expect(blankCorrect('上海', '。')).toBe(false);
    expect(fillCorrect(['1921', '上海'], ['１９２１年', '上海'])).toBe(false);
    expect(fillCorrect(['1921', '上海'], ['１９２１', ' 上海。'])).toBe(true);
    expect(fillCorrect(['1921', '上海'], ['上海', '1921'])).toBe(false);
  });

  test('property: full width, spaces and trailing punctuation never change the verdict', () => {
    fc.assert(
      fc.property(answerText, spaces, spaces, endPunct, fc.boolean(), (a, pre, post, p, wide) => {
        const typed = `${pre}${wide ? toFullWidth(a) : a}${post}${p}`;
        expect(blankCorrect(a, typed)).toBe(true);
        expect(normaliseFill(typed)).toBe(normaliseFill(a));
      }),
      { numRuns: 500 },
    );
  });

  test('property: normalising is idempotent, and a different answer stays wrong', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), answerText, answerText, (s, a, b) => {
        expect(normaliseFill(normaliseFill(s))).toBe(normaliseFill(s));
        if (normaliseFill(a) !== normaliseFill(b)) expect(blankCorrect(a, b)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  test('property: the stored answer itself always scores right, in any of its alternatives', () => {
    fc.assert(
      fc.property(fc.array(fc.array(answerText, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }), fc.nat(), (blanks, k) => {
        const answer = blanks.map((alts) => alts.join('|'));
        const typed = blanks.map((alts) => alts[k % alts.length]);
        expect(fillCorrect(answer, typed)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the stored question', () => {
  const q: StoredQuestion = {
    _id: 'qfill', orgId: 'd1', type: 'fill', stem: '中共一大于（ ）年在（ ）召开。', options: [], answer: ['1921', '上海|上海市'],
    explanation: '', source: '党史', tags: [], difficulty: 1, status: 'active', order: 'x',
  };
  test('the app learns how many blanks, never the answers', () => {
    const p = toPublic(q);
    expect(p.blanks).toBe(2);
    expect(JSON.stringify(p)).not.toContain('1921');
    expect(JSON.stringify(p)).not.toContain('上海市');
    expect('blanks' in toPublic({ ...q, type: 'single', options: [{ id: 'A', text: '甲' }], answer: ['A'] })).toBe(false);
  });
  test('every blank must be filled, in number', () => {
    expect(choiceProblem(q, ['1921'])).toContain('2 个空');
    expect(choiceProblem(q, ['1921', '  '])).toBe('请填写第 2 个空');
    expect(choiceProblem(q, ['1921', '上海'])).toBeNull();
  });
  test('scored with the texts kept in order and the accepted answers shown', () => {
    const r = scoreQuestion(q, [' 1921 ', '上海市。']);
    expect(r).toMatchObject({ correct: true, choice: ['1921', '上海市。'], answer: ['1921', '上海|上海市'], explanation: '' });
    expect(scoreQuestion(q, ['1922', '上海']).correct).toBe(false);
  });
});
