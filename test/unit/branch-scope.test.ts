/**
 * One answer for a branch named in a call (docs/permissions.md, "A branch named in a call"): outside
 * the caller's scope is PERMISSION_DENIED with one message, whether or not the id exists; NOT_FOUND
 * only for an id an organiser could reach that names no branch.
 */
import { AppError } from '../../core/fn/errors';
import type { CallerMember } from '../../core/fn/caller';
import { BRANCH_REFUSALS, canReachBranch, loadBranchInScope } from '../../core/org/scope';

const NODES: Record<string, { _id: string; name: string; type: string; parentId: string | null; path: string[] }> = {
  d: { _id: 'd', name: '区', type: 'district', parentId: null, path: [] },
  s1: { _id: 's1', name: '街道一', type: 'street', parentId: 'd', path: ['d'] },
  s2: { _id: 's2', name: '街道二', type: 'street', parentId: 'd', path: ['d'] },
  b1: { _id: 'b1', name: '一支部', type: 'branch', parentId: 's1', path: ['d', 's1'] },
  b2: { _id: 'b2', name: '二支部', type: 'branch', parentId: 's1', path: ['d', 's1'] },
  b3: { _id: 'b3', name: '三支部', type: 'branch', parentId: 's2', path: ['d', 's2'] },
  g1: { _id: 'g1', name: '小组', type: 'group', parentId: 'b1', path: ['d', 's1', 'b1'] },
};

function nodesDb() {
  const reads: string[] = [];
  const db = {
    collection: (coll: string) => ({
      doc: (id: string) => ({
        get: async () => {
          reads.push(`${coll}/${id}`);
          return { data: coll === 'org_nodes' ? (NODES[id] ?? null) : null };
        },
      }),
    }),
  };
  return { db, reads };
}

const who = (role: CallerMember['role'], branchId: string | null, scopeId: string | null = null): CallerMember => ({
  _id: `${role}-${branchId}`,
  name: role,
  role,
  status: 'active',
  branchId,
  path: branchId ? [...NODES[branchId].path, branchId] : [],
  scopeId,
});

const member = who('member', 'b1');
const secretary = who('secretary', 'b1');
const organiser = who('organiser', 'b1', 's1');

async function outcome(caller: CallerMember, branchId: string | undefined, reach?: 'manage' | 'member') {
  const { db, reads } = nodesDb();
  try {
    const b = await loadBranchInScope(db, caller, branchId, reach);
    return { got: b._id, reads: reads.length };
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return { got: `${e.code} ${e.message}`, reads: reads.length };
  }
}

const DENIED = `PERMISSION_DENIED ${BRANCH_REFUSALS.outOfScope}`;
const MISSING = `NOT_FOUND ${BRANCH_REFUSALS.notFound}`;

describe('loadBranchInScope', () => {
  test('no id means the caller’s own branch', async () => {
    expect(await outcome(secretary, undefined)).toEqual({ got: 'b1', reads: 1 });
    expect(await outcome(who('organiser', null, 's1'), undefined)).toEqual({ got: `INVALID_ARGUMENT ${BRANCH_REFUSALS.none}`, reads: 0 });
  });

  test('a secretary reaches their own branch only; another one, real or not, is refused before any read', async () => {
    expect(await outcome(secretary, 'b1')).toEqual({ got: 'b1', reads: 1 });
    for (const id of ['b2', 'b3', 'nope', 'g1']) expect(await outcome(secretary, id)).toEqual({ got: DENIED, reads: 0 });
  });

  test('a member reaches their own branch where the action lets members read it, and nothing else', async () => {
    expect(await outcome(member, undefined, 'member')).toEqual({ got: 'b1', reads: 1 });
    expect(await outcome(member, undefined)).toEqual({ got: DENIED, reads: 1 });
    expect(await outcome(member, 'b2', 'member')).toEqual({ got: DENIED, reads: 0 });
  });

  test('an organiser reaches the branches of their subtree; outside it the same refusal; an id that is no branch is NOT_FOUND', async () => {
    expect(await outcome(organiser, 'b2')).toEqual({ got: 'b2', reads: 1 });
    expect(await outcome(organiser, 'b3')).toEqual({ got: DENIED, reads: 1 });
    expect(await outcome(organiser, 'nope')).toEqual({ got: MISSING, reads: 1 });
    expect(await outcome(organiser, 'g1')).toEqual({ got: MISSING, reads: 1 });
    expect(await outcome(organiser, 's1')).toEqual({ got: MISSING, reads: 1 });
  });

  test('an organiser’s own branch outside their subtree counts only where members read their own', async () => {
    const away = who('organiser', 'b3', 's1');
    expect(await outcome(away, undefined)).toEqual({ got: DENIED, reads: 1 });
    expect(await outcome(away, undefined, 'member')).toEqual({ got: 'b3', reads: 1 });
  });

  test('someone who has left reaches nothing', () => {
    expect(canReachBranch({ ...secretary, status: 'left' }, NODES.b1)).toBe(false);
    expect(canReachBranch({ ...member, status: 'left' }, NODES.b1, 'member')).toBe(false);
  });
});
