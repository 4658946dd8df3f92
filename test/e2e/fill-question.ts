import { DEMO } from '../../seed';
import type { Emulator } from '../../scripts/local-cloud';
import { toStoredQuestion } from '../../core/quiz/bank';
import { pinnedSetData, setId } from '../../core/quiz/stored';
import { dayOf } from '../../core/day';

type Store = { find(c: string, q?: object): Array<Record<string, unknown>>; put(c: string, d: object): void };

/**
 * The demo bank has no 填空 question: this adds one to the district's bank and pins it to today, as an
 * organiser pins a question, so the set drawn at the first open starts with it (pinned come first).
 * Call before anyone opens today's quiz.
 */
export function pinFillQuestion(emu: Emulator): { id: string; answer: string[] } {
  const store = emu.backend.store as unknown as Store;
  const fill = toStoredQuestion(
    DEMO.districtId,
    { type: 'fill', stem: '中国共产党第一次全国代表大会于（ ）年在（ ）召开。', options: [], answer: ['1921', '上海'], explanation: '', source: '党史', tags: ['党史'], difficulty: 1 },
    new Date(),
  );
  store.put('quiz_questions', fill);
  // the org whose config draws the demo district's daily sets
  const orgId = store.find('quiz_sets')[0].orgId as string;
  const today = dayOf(new Date());
  store.put('quiz_sets', { _id: setId(orgId, today), ...pinnedSetData(orgId, today, [fill._id], DEMO.organiserId, new Date()) });
  return { id: fill._id, answer: fill.answer };
}
