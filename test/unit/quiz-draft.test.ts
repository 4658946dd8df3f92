/**
 * The quiz draft on the device (src/pages/quiz/draft.ts): kept per member, day and set, read back only
 * where it still fits the set, removed on submit, and drafts of earlier days swept away.
 */
import type { PublicQuestion } from '../../core/quiz/question';

const storage = new Map<string, unknown>();
jest.mock('@tarojs/taro', () => ({
  __esModule: true,
  default: {
    getStorageSync: (k: string) => (storage.has(k) ? storage.get(k) : ''),
    setStorageSync: (k: string, v: unknown) => void storage.set(k, JSON.parse(JSON.stringify(v))),
    removeStorageSync: (k: string) => void storage.delete(k),
    getStorageInfoSync: () => ({ keys: [...storage.keys()] }),
  },
}));

// jest hoists the mock above this import: the module reads storage through it
import { clearDraft, draftKey, loadDraft, saveDraft } from '../../src/pages/quiz/draft';

const opts = (ids: string[]) => ids.map((id) => ({ id, text: id }));
const QS: PublicQuestion[] = [
  { id: 'q1', type: 'single', stem: 's', options: opts(['A', 'B', 'C', 'D']), source: '', tags: [], difficulty: 1 },
  { id: 'q2', type: 'multi', stem: 'm', options: opts(['A', 'B', 'C']), source: '', tags: [], difficulty: 1 },
  { id: 'q3', type: 'fill', stem: 'f（ ）（ ）', options: [], blanks: 2, source: '', tags: [], difficulty: 1 },
] as unknown as PublicQuestion[];
const me = { memberId: 'm-1', day: '2025-07-10', setId: 'd1:2025-07-10' };

beforeEach(() => storage.clear());

test('a saved draft comes back as it was, for the same member, day and set only', () => {
  saveDraft(me, { choices: { q1: ['B'], q3: ['1921', ''] }, at: 2 });
  expect(loadDraft(me, QS)).toEqual({ choices: { q1: ['B'], q3: ['1921', ''] }, at: 2 });
  expect(loadDraft({ ...me, memberId: 'm-2' }, QS)).toEqual({ choices: {}, at: 0 });
  expect(loadDraft({ ...me, setId: 'd1-s1:2025-07-10' }, QS)).toEqual({ choices: {}, at: 0 });
});

test('what no longer fits the set is dropped: unknown questions and options, extra blanks, a place out of range', () => {
  storage.set(draftKey(me), { choices: { q1: ['E'], q2: ['A', 'Z', 3], gone: ['A'], q3: ['1921', '上海', 'x'] }, at: 9 });
  expect(loadDraft(me, QS)).toEqual({ choices: { q1: [], q3: ['1921', '上海'] }, at: 2 });
  storage.set(draftKey(me), 'not a draft');
  expect(loadDraft(me, QS)).toEqual({ choices: {}, at: 0 });
});

test('submitting clears the draft; writing today\'s sweeps the drafts of earlier days', () => {
  const yesterday = { ...me, day: '2025-07-09', setId: 'd1:2025-07-09' };
  saveDraft(yesterday, { choices: { q1: ['A'] }, at: 0 });
  storage.set('pps.elder.v1', { on: true });
  saveDraft(me, { choices: { q1: ['B'] }, at: 0 });
  expect([...storage.keys()].sort()).toEqual([draftKey(me), 'pps.elder.v1'].sort());
  clearDraft(me);
  expect([...storage.keys()]).toEqual(['pps.elder.v1']);
});
