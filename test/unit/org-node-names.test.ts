/**
 * The org tree's names per warm instance (core/org/node-names.ts): the whole tree loaded in pages
 * once per TTL, a node created since read by id, a rename seen within the TTL, and a tree too big
 * to hold read per path instead.
 */
import { NODE_NAMES_TTL_MS, NodeNameCache, type NodeName, type NodeNameReader } from '../../core/org/node-names';

function tree(n: number): NodeName[] {
  return Array.from({ length: n }, (_x, i) => ({ _id: `n${String(i).padStart(5, '0')}`, name: `支部${i}`, type: 'branch' as const }));
}

/** A reader over `nodes` (changeable), counting its reads as the database would. */
function reader(nodes: NodeName[]) {
  const r = {
    reads: 0,
    nodes,
    page: async (afterId: string | null, limit: number) => {
      r.reads++;
      return [...r.nodes].sort((a, b) => a._id.localeCompare(b._id)).filter((x) => afterId === null || x._id > afterId).slice(0, limit);
    },
    byIds: async (ids: string[]) => {
      r.reads++;
      return r.nodes.filter((x) => ids.includes(x._id));
    },
  };
  return r satisfies NodeNameReader & { reads: number };
}

test('a district-sized tree (1,111 nodes) is two reads per instance per TTL; every path after that is free', async () => {
  const r = reader(tree(1111));
  const c = new NodeNameCache();
  const t0 = 1_000_000;
  const first = await c.lookup(['n00000', 'n00010', 'n01110'], t0, r);
  expect([...first.values()].map((n) => n.name)).toEqual(['支部0', '支部10', '支部1110']);
  expect(r.reads).toBe(2);
  for (let i = 0; i < 1111; i += 37) await c.lookup(['n00000', `n${String(i).padStart(5, '0')}`], t0 + i, r);
  expect(r.reads).toBe(2);
  // past the TTL the tree is read again
  await c.lookup(['n00001'], t0 + NODE_NAMES_TTL_MS, r);
  expect(r.reads).toBe(4);
});

test('a rename shows within the TTL; a node created after the load is read by id at once', async () => {
  const r = reader(tree(3));
  const c = new NodeNameCache();
  await c.lookup(['n00000'], 0, r);
  r.nodes = r.nodes.map((n) => (n._id === 'n00000' ? { ...n, name: '第一支部' } : n));
  r.nodes.push({ _id: 'n00009', name: '新支部', type: 'branch' });
  expect((await c.lookup(['n00000'], NODE_NAMES_TTL_MS - 1, r)).get('n00000')?.name).toBe('支部0');
  const reads = r.reads;
  expect((await c.lookup(['n00009'], 10, r)).get('n00009')?.name).toBe('新支部');
  expect(r.reads).toBe(reads + 1);
  expect((await c.lookup(['n00000'], NODE_NAMES_TTL_MS, r)).get('n00000')?.name).toBe('第一支部');
  // a node that does not exist is not remembered as missing: asked again, read again
  const before = r.reads;
  expect((await c.lookup(['nope'], NODE_NAMES_TTL_MS + 1, r)).has('nope')).toBe(false);
  expect((await c.lookup(['nope'], NODE_NAMES_TTL_MS + 2, r)).has('nope')).toBe(false);
  expect(r.reads).toBe(before + 2);
});

test('a tree bigger than it holds is not loaded whole again: names are read per path, memory bounded', async () => {
  const r = reader(tree(2500));
  const c = new NodeNameCache(NODE_NAMES_TTL_MS, 1500);
  const got = await c.lookup(['n00001', 'n02400'], 0, r);
  expect(got.get('n02400')?.name).toBe('支部2400');
  // two pages found it too big, then one read for the path
  expect(r.reads).toBe(3);
  await c.lookup(['n00001', 'n02400'], 1, r);
  expect(r.reads).toBe(3);
  await c.lookup(['n00002'], 2, r);
  expect(r.reads).toBe(4);
});
