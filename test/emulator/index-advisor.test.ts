/**
 * The unindexed-query warning: a filtered query on a collection above the size threshold with no
 * supporting declared index is logged once per collection and query shape; indexed queries, small
 * collections and unfiltered reads are not.
 */
import { Store } from '../../emulator/db/store';
import type { Schema } from '../../emulator/db/schema';

const schema: Schema = {
  answers: {
    description: 'test',
    indexes: [
      { name: 'member_day', keys: { memberId: 1, day: -1 } },
      { name: 'branch', keys: { branchId: 1 } },
    ],
  },
  small: { description: 'test', indexes: [] },
};

function storeWith(n: number): { store: Store; lines: string[] } {
  const lines: string[] = [];
  const store = new Store({ file: ':memory:', schema, strict: true, onUnindexedQuery: (l) => lines.push(l), largeCollectionDocs: 100 });
  store.insertMany('answers', Array.from({ length: n }, (_, i) => ({ _id: `a${i}`, memberId: `m${i % 7}`, day: `2024-01-${(i % 28) + 1}`, branchId: `b${i % 3}`, score: i % 5 })));
  store.insertMany('small', [{ _id: 's1', score: 1 }]);
  return { store, lines };
}

describe('unindexed query warning', () => {
  it('warns once per collection and shape for a query with no supporting index', () => {
    const { store, lines } = storeWith(150);
    store.find('answers', { score: 3 });
    store.find('answers', { score: 4 });
    store.count('answers', { score: { $gt: 1 } });
    store.update('answers', { score: 2 }, { $set: { seen: true } }, { multi: true });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[index\] answers \(150 documents\): a query on \{score\} has no supporting index \(declared: member_day\(memberId,day\), branch\(branchId\)\)/);
    // another shape warns on its own
    store.aggregate('answers', [{ $match: { day: '2024-01-02' } }, { $group: { _id: '$memberId', n: { $sum: 1 } } }]);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('an aggregate $match on {day}');
    // an $or is supported only when every branch is
    store.find('answers', { $or: [{ memberId: 'm1' }, { score: 1 }] });
    expect(lines).toHaveLength(3);
    store.close();
  });

  it('stays quiet for indexed queries, _id lookups, unfiltered reads and small collections', () => {
    const { store, lines } = storeWith(150);
    store.find('answers', { memberId: 'm1', day: '2024-01-02' });
    store.find('answers', { memberId: 'm1', score: 3 }); // the index narrows, the rest is filtered
    store.find('answers', { branchId: { $in: ['b1', 'b2'] } });
    store.find('answers', { $and: [{ branchId: 'b1' }, { score: 2 }] });
    store.find('answers', { $or: [{ memberId: 'm1' }, { branchId: 'b2' }] });
    store.find('answers', { _id: 'a1' });
    store.find('answers', {});
    store.count('answers');
    store.find('small', { score: 1 });
    expect(lines).toEqual([]);
    // the index's second key alone does not lead it
    store.find('answers', { day: '2024-01-02' });
    expect(lines).toHaveLength(1);
    store.close();
  });

  it('stays quiet below the threshold', () => {
    const { store, lines } = storeWith(90);
    store.find('answers', { score: 3 });
    expect(lines).toEqual([]);
    store.close();
  });
});
