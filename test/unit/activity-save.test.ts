import { AppError } from '../../core/fn/errors';
import { assertEditedWindowOpen, checkScopeNodes, planSave, type SaveRequest, type ScopeNode } from '../../core/activity/save';

const HOST = 'b-host';
const COMMUNITY = 'c-1';
const hostPath = ['root', COMMUNITY, HOST];

const req = (over: Partial<SaveRequest> = {}): SaveRequest => ({ hostBranchId: HOST, existing: null, groupId: null, jointBranchIds: [], ...over });
const saved = (over: Partial<NonNullable<SaveRequest['existing']>> = {}) => ({ status: 'draft' as const, finalisedAt: null, groupId: null, jointBranchIds: [] as string[], ...over });

/** The error a call throws, as code and message (or OK). */
const outcome = (f: () => unknown): { code: string; message?: string } => {
  try {
    f();
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return { code: e.code, message: e.message };
  }
  return { code: 'OK' };
};

describe('planSave: what an edit may change', () => {
  test('a new activity: the joint branches each once, never the host, and the nodes to look up', () => {
    const plan = planSave(req({ jointBranchIds: ['b-2', HOST, 'b-3', 'b-2'] }));
    expect(plan).toEqual({ published: false, joint: ['b-2', 'b-3'], needed: ['b-2', 'b-3'] });
    expect(planSave(req({ groupId: 'g-1' }))).toEqual({ published: false, joint: [], needed: ['g-1'] });
    expect(planSave(req())).toEqual({ published: false, joint: [], needed: [] });
  });

  test('a cancelled or closed activity is not edited', () => {
    expect(outcome(() => planSave(req({ existing: saved({ status: 'cancelled' }) })))).toEqual({ code: 'FAILED_PRECONDITION', message: '活动已取消，不能再修改' });
    expect(outcome(() => planSave(req({ existing: saved({ status: 'published', finalisedAt: new Date() }), changeNote: '改时间' })))).toEqual({
      code: 'FAILED_PRECONDITION',
      message: '活动签到已结束，不能再修改通知',
    });
  });

  test('a published notice is edited only with a change note, and is then marked published', () => {
    const existing = saved({ status: 'published' });
    expect(outcome(() => planSave(req({ existing })))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(outcome(() => planSave(req({ existing, changeNote: '' })))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(planSave(req({ existing, changeNote: '地点改到二楼' })).published).toBe(true);
    // a draft needs no note
    expect(planSave(req({ existing: saved() })).published).toBe(false);
  });

  test('a published notice keeps its scope: same 党小组 and the same 联建 branches in any order', () => {
    const existing = saved({ status: 'published', jointBranchIds: ['b-2', 'b-3'] });
    const changeNote = '改时间';
    expect(planSave(req({ existing, changeNote, jointBranchIds: ['b-3', 'b-2'] })).joint).toEqual(['b-3', 'b-2']);
    const scopeChanged = { code: 'FAILED_PRECONDITION', message: '已发布的活动不能更改参加范围，请取消后重新发布' };
    expect(outcome(() => planSave(req({ existing, changeNote, jointBranchIds: ['b-2'] })))).toEqual(scopeChanged);
    expect(outcome(() => planSave(req({ existing, changeNote, jointBranchIds: ['b-2', 'b-3', 'b-4'] })))).toEqual(scopeChanged);
    const group = saved({ status: 'published', groupId: 'g-1' });
    expect(outcome(() => planSave(req({ existing: group, changeNote, groupId: null })))).toEqual(scopeChanged);
    expect(outcome(() => planSave(req({ existing: group, changeNote, groupId: 'g-2' })))).toEqual(scopeChanged);
    expect(planSave(req({ existing: group, changeNote, groupId: 'g-1' })).needed).toEqual(['g-1']);
    // a draft may change its scope freely
    expect(planSave(req({ existing: saved({ groupId: 'g-1' }), jointBranchIds: ['b-2'] })).joint).toEqual(['b-2']);
  });

  test('a 党小组会 invites no 联建 branch (naming only the host is no invitation)', () => {
    expect(outcome(() => planSave(req({ groupId: 'g-1', jointBranchIds: ['b-2'] })))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(planSave(req({ groupId: 'g-1', jointBranchIds: [HOST] }))).toEqual({ published: false, joint: [], needed: ['g-1'] });
  });
});

describe('checkScopeNodes: 联建 branches of the same community, the host’s own 党小组', () => {
  const nodes: ScopeNode[] = [
    { _id: 'b-2', name: '二支部', type: 'branch', parentId: COMMUNITY },
    { _id: 'b-3', name: '三支部', type: 'branch', parentId: COMMUNITY },
    { _id: 'b-far', name: '外社区支部', type: 'branch', parentId: 'c-2' },
    { _id: 'g-1', name: '第一党小组', type: 'group', parentId: HOST },
    { _id: 'g-other', name: '别的党小组', type: 'group', parentId: 'b-2' },
    { _id: 'c-3', name: '社区', type: 'community', parentId: COMMUNITY },
  ];
  const check = (joint: string[], groupId: string | null = null, path = hostPath) => checkScopeNodes({ hostBranchId: HOST, hostPath: path, joint, groupId }, nodes);
  const notSameCommunity = { code: 'INVALID_ARGUMENT', message: '联建支部只能选择同一社区（上级党组织）下的党支部' };

  test('sibling branches pass and come back with their names, in the order asked', () => {
    expect(check(['b-3', 'b-2'])).toEqual([
      { id: 'b-3', name: '三支部' },
      { id: 'b-2', name: '二支部' },
    ]);
    expect(check([], 'g-1')).toEqual([]);
  });

  test('a branch elsewhere, a missing node or a node that is not a branch is refused', () => {
    expect(outcome(() => check(['b-2', 'b-far']))).toEqual(notSameCommunity);
    expect(outcome(() => check(['b-missing']))).toEqual(notSameCommunity);
    expect(outcome(() => check(['c-3']))).toEqual(notSameCommunity);
    expect(outcome(() => check(['g-1']))).toEqual(notSameCommunity);
  });

  test('a host with no parent (a branch at the root) can invite nobody', () => {
    expect(outcome(() => check(['b-2'], null, [HOST]))).toEqual(notSameCommunity);
  });

  test('the 党小组 must be a group of the host branch', () => {
    const wrongGroup = { code: 'INVALID_ARGUMENT', message: '请选择本支部的党小组' };
    expect(outcome(() => check([], 'g-other'))).toEqual(wrongGroup);
    expect(outcome(() => check([], 'b-2'))).toEqual(wrongGroup);
    expect(outcome(() => check([], 'g-missing'))).toEqual(wrongGroup);
  });
});

describe('assertEditedWindowOpen', () => {
  const now = new Date('2026-05-01T02:00:00Z');
  test('an edit of a published notice may not put its sign-in close in the past; a draft may', () => {
    expect(outcome(() => assertEditedWindowOpen(true, new Date(now.getTime() + 1), now)).code).toBe('OK');
    expect(outcome(() => assertEditedWindowOpen(true, now, now))).toEqual({ code: 'INVALID_ARGUMENT', message: '改后的签到时间已过，请检查开始时间' });
    expect(outcome(() => assertEditedWindowOpen(false, new Date(now.getTime() - 86_400_000), now)).code).toBe('OK');
  });
});
