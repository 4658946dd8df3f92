import { HOME, type CallerInfo, type Harness } from '../harness';
import type { CaseTable } from './types';

 

function expect(cond: unknown, message: string): void {
  if (!cond) throw new Error(message);
}

/** A fresh member of the home branch whose points counter says 7 with an empty ledger. */
function brokenMember(h: Harness): string {
  const id = `m-trust-consistency-${h.seq()}`;
  const phone = `1390000${String(h.seq()).padStart(4, '0')}`;
  const path = [HOME.districtId, HOME.streetId, 'd1-s1-c1', HOME.branchId];
  h.store.put('org_members', { _id: id, name: '核对', phone, role: 'member', status: 'active', branchId: HOME.branchId, path, pointsTotal: 7 }, 'insert');
  return id;
}

const memo = new Map<string, string>();

export const consistencyCases: CaseTable = {
  check: {
    payload: (h, caller: CallerInfo) => {
      memo.set(`check:${caller.kind}`, brokenMember(h));
      return { branchId: HOME.branchId };
    },
    check: (h, caller, r) => {
      const id = memo.get(`check:${caller.kind}`)!;
      const d = (r.data.differences as any[]).find((x) => x.id === id && x.field === 'pointsTotal');
      expect(d && d.expected === 0 && d.actual === 7, 'broken counter not reported');
      expect(h.store.findOne('org_members', id).pointsTotal === 7, 'check must not write');
      expect(r.data.branchId === HOME.branchId, 'another branch was checked');
    },
  },

  repair: {
    payload: (h, caller: CallerInfo) => {
      memo.set(`repair:${caller.kind}`, brokenMember(h));
      return { branchId: HOME.branchId };
    },
    check: (h, caller, r) => {
      const id = memo.get(`repair:${caller.kind}`)!;
      expect(h.store.findOne('org_members', id).pointsTotal === 0, 'counter not repaired');
      expect(r.data.repaired > 0 && r.data.after === 0, `repair incomplete: ${JSON.stringify({ repaired: r.data.repaired, after: r.data.after })}`);
    },
  },
};
