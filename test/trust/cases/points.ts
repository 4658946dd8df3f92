import { DEFAULT_RULES } from '../../../core/points/rules';
import { ledgerId } from '../../../core/points/ledger';
import type { CallerInfo, Harness } from '../harness';
import type { CaseTable } from './types';

 

function expect(cond: unknown, message: string): void {
  if (!cond) throw new Error(message);
}

const stored = (h: Harness, c: CallerInfo) => h.store.findOne('org_members', c.memberId!);

export const pointsCases: CaseTable = {
  history: {
    // every member has one entry of their own; the reply must carry that one and nobody else's
    payload: (h, caller) => {
      if (caller.memberId) {
        const source = { type: 'activity', id: `trust-${h.seq()}` };
        h.store.put(
          'points_ledger',
          {
            _id: ledgerId(source, caller.memberId),
            memberId: caller.memberId,
            branchId: caller.branchId,
            day: '2024-05-20',
            at: new Date('2024-05-20T02:00:00Z'),
            points: 5,
            lines: [{ rule: 'activity.signin', points: 5, reason: '参加主题党日' }],
            capped: 0,
            reason: '主题党日签到',
            source,
          },
          'insert',
        );
      }
      return {};
    },
    check: (h, caller, r) => {
      expect(r.data.entries.length > 0, 'no entries');
      const foreign = (r.data.entries as any[]).filter((e) => !String(e.id).endsWith(`:${caller.memberId}`));
      expect(foreign.length === 0, `${foreign.length} entr(ies) of another member`);
      expect(r.data.total === (stored(h, caller).pointsTotal ?? 0), 'total is not the caller\'s');
    },
  },

  rules: {
    payload: () => ({}),
    check: (h, caller, r) => {
      const doc = stored(h, caller);
      const where: string[] = doc.role === 'organiser' ? [doc.scopeId] : doc.path;
      expect(where.includes(r.data.orgId) || r.data.orgId === doc.path[0], `rules of ${r.data.orgId}, not on the caller's path`);
      expect(r.data.canEdit === (doc.role === 'organiser' && r.data.orgId === doc.scopeId), 'canEdit wrong');
    },
  },

  // the rules in force today, scheduled again: a real write that changes no later call's points
  setRules: {
    payload: () => ({ values: { ...DEFAULT_RULES.values }, streakBonuses: DEFAULT_RULES.streakBonuses.map((b) => ({ ...b })), dailyCap: DEFAULT_RULES.dailyCap }),
    check: (h, caller, r) => {
      const scope = stored(h, caller).scopeId;
      expect(r.data.orgId === scope && h.store.findOne('points_rules', scope), 'rules not stored for the caller\'s org');
    },
  },
};
