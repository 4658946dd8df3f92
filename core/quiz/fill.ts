/**
 * 填空题 (fill-in-the-blank): where the blanks are in a stem, how a bank writes the accepted answers,
 * and when a typed answer counts. Pure and small: the app bundles it to show the blanks.
 *
 * Stored: `answer[i]` holds the accepted answers of blank i joined by `|` (`八|8`); `options` is
 * empty. A member's answer is one text per blank, in order.
 */

/** Blank markers found in real banks: （ ）, ( ), （____）, ____, ＿＿, and runs of them. */
const BLANK_RE = /[（(][\s\u3000_＿]*[)）]|[_＿]{2,}/g;

export function countBlanks(stem: string): number {
  return (stem.match(BLANK_RE) ?? []).length;
}

/** The stem split around its blanks: n blanks give n + 1 pieces of text. */
export function splitStem(stem: string): string[] {
  return stem.split(BLANK_RE);
}

/** at most this many blanks per question, and characters per typed answer */
export const MAX_BLANKS = 10;
export const MAX_FILL_TEXT = 60;

const TRAILING_PUNCT = /[\s\u3000。．.，,、；;：:！!？?…~～"'“”‘’》」』）)\]】]+$/u;
const LEADING_PUNCT = /^[\s\u3000"'“”‘’《「『（([【]+/u;

/**
 * What is compared: full and half width made one (NFKC), no spaces anywhere, no quotes or brackets
 * around it, no punctuation at the end, Latin letters in one case.
 */
export function normaliseFill(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\s\u3000\u200b]+/g, '')
    .replace(TRAILING_PUNCT, '')
    .replace(LEADING_PUNCT, '')
    .replace(TRAILING_PUNCT, '')
    .toLowerCase();
}

/** The accepted answers of one stored blank (`八|8` → ['八', '8']). */
export const alternatives = (blank: string): string[] =>
  blank
    .split(/[|｜]/)
    .map((a) => a.trim())
    .filter(Boolean);

/** Does the member's text for one blank match one of its accepted answers? */
export function blankCorrect(blank: string, typed: string): boolean {
  const t = normaliseFill(typed);
  return t !== '' && alternatives(blank).some((a) => normaliseFill(a) === t);
}

/** A fill answer is right when every blank is. */
export function fillCorrect(answer: readonly string[], typed: readonly string[]): boolean {
  return answer.length === typed.length && answer.every((b, i) => blankCorrect(b, typed[i] ?? ''));
}

/** Separators between the blanks of one answer cell, as banks write them. */
const BLANK_SEP = /\s*[；;]\s*|\s*[\r\n]+\s*/;

/**
 * The stored answer of a bank cell (or of several answer columns): one entry per blank, each the
 * accepted answers joined by `|`. `答案1|答案2；答案3` → ['答案1|答案2', '答案3'].
 */
export function parseFillAnswer(cells: readonly string[]): string[] {
  const parts = cells.length > 1 ? cells.filter((c) => c.trim() !== '') : (cells[0] ?? '').split(BLANK_SEP);
  return parts.map((p) => alternatives(p).join('|')).filter(Boolean);
}

/** The answer as a person reads it: `八（或 8）；人民`. */
export function fillAnswerText(answer: readonly string[]): string {
  return answer
    .map((b) => {
      const [first, ...rest] = alternatives(b);
      return rest.length ? `${first}（或 ${rest.join('、')}）` : (first ?? '');
    })
    .join('；');
}
