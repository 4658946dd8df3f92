import Taro from '@tarojs/taro';
import type { PublicQuestion } from '../../../core/quiz/question';

/**
 * The answers of a quiz not yet submitted, kept on the phone (Taro storage) so that going back,
 * leaving the app or a reload loses nothing. One draft per member, day and set; it is removed once
 * the set is submitted, and drafts of earlier days are swept whenever a draft is written.
 */
export interface QuizDraft {
  choices: Record<string, string[]>;
  /** 关怀模式 shows one question per screen: the one the member was on */
  at: number;
}

const PREFIX = 'pps.quiz.draft.v1:';

export interface DraftKeyParts {
  memberId: string;
  day: string;
  setId: string;
}

// the day first: a fixed width the sweep can read whatever the ids contain
export const draftKey = ({ memberId, day, setId }: DraftKeyParts) => `${PREFIX}${day}:${memberId}:${setId}`;

/** The stored draft, kept only where it still fits the set (a question gone, an option unknown: dropped). */
export function loadDraft(parts: DraftKeyParts, questions: readonly PublicQuestion[]): QuizDraft {
  let saved: unknown;
  try {
    saved = Taro.getStorageSync(draftKey(parts));
  } catch {
    saved = undefined;
  }
  const empty: QuizDraft = { choices: {}, at: 0 };
  if (!saved || typeof saved !== 'object') return empty;
  const raw = saved as { choices?: Record<string, unknown>; at?: unknown };
  const choices: Record<string, string[]> = {};
  for (const q of questions) {
    const c = raw.choices?.[q.id];
    if (!Array.isArray(c) || !c.every((x) => typeof x === 'string')) continue;
    if (q.type === 'fill') choices[q.id] = (c as string[]).slice(0, q.blanks ?? 1).map((x) => x.slice(0, 60));
    else choices[q.id] = (c as string[]).filter((x) => q.options.some((o) => o.id === x));
  }
  const at = typeof raw.at === 'number' && Number.isInteger(raw.at) ? Math.min(Math.max(raw.at, 0), Math.max(questions.length - 1, 0)) : 0;
  return { choices, at };
}

export function saveDraft(parts: DraftKeyParts, draft: QuizDraft): void {
  try {
    Taro.setStorageSync(draftKey(parts), draft);
    sweep(parts);
  } catch {
    // storage full or unavailable: the answers stay on the screen, as before
  }
}

export function clearDraft(parts: DraftKeyParts): void {
  try {
    Taro.removeStorageSync(draftKey(parts));
  } catch {
    // nothing to clear
  }
}

/** Drafts of other days (a quiz never submitted) go: a draft lives one day at most. */
function sweep(parts: DraftKeyParts): void {
  const keys = Taro.getStorageInfoSync().keys ?? [];
  for (const k of keys) {
    if (!k.startsWith(PREFIX)) continue;
    if (k.slice(PREFIX.length, PREFIX.length + parts.day.length) !== parts.day) Taro.removeStorageSync(k);
  }
}
