/** The points function's actions: the member's ledger (红色手账) and the org's rules. */
import { getDoc, stripId, type Db } from '../../core/fn/db';
import { AppError } from '../../core/fn/errors';
import { actionsFor, type ActionTable } from '../../core/fn/router';
import type { StoredMember } from '../../core/fn/caller';
import type { Platform } from '../../core/fn/serve';
import { nodeFullPath } from '../../core/org/scope';
import { pointsInputs, type LedgerView, type PointsOutputs, type RulesView } from '../../core/points/contracts';
import { pointsToday } from '../../core/points/ledger';
import { effectiveRules, RULE_KEYS, scheduleRules } from '../../core/points/rules';
import type { LedgerEntry, MemberPoints, StoredRules } from '../../core/points/stored';
import { addDays, dayOf } from '../../core/day';

export interface PointsCtx {
  db: Db;
  now: Date;
}

export const makePointsCtx = (p: Platform): PointsCtx => ({ db: p.db, now: p.now });

/** the caller's stored document carries the running totals (core/points/ledger.ts) */
const { action } = actionsFor<PointsCtx, StoredMember & MemberPoints>();

interface OrgNode {
  _id: string;
  name: string;
  path: string[];
}

/** The rules that apply to a path: the deepest org on it that has its own, else the defaults. */
async function rulesFor(db: Db, path: string[]): Promise<{ doc: StoredRules | null; orgId: string }> {
  const _ = db.command;
  const res = await db.collection('points_rules').where({ _id: _.in(path) }).limit(path.length).get();
  const byId = new Map<string, StoredRules>((res.data as StoredRules[]).map((r) => [r._id, r]));
  const found = [...path].reverse().find((id) => byId.has(id));
  return { doc: found ? byId.get(found)! : null, orgId: found ?? path[0] };
}

function view(doc: StoredRules | null, orgId: string, orgName: string, today: string, canEdit: boolean): RulesView {
  const current = effectiveRules(doc, today);
  const upcoming = doc?.pending && doc.pendingFrom && doc.pendingFrom > today ? { from: doc.pendingFrom, rules: doc.pending } : null;
  return { orgId, orgName, today, current, upcoming, labels: RULE_KEYS as unknown as RulesView['labels'], canEdit };
}

const toLedgerView = (e: LedgerEntry): LedgerView => ({
  id: e._id,
  day: e.day,
  at: new Date(e.at).toISOString(),
  points: e.points,
  capped: e.capped ?? 0,
  reason: e.reason,
  lines: e.lines ?? [],
  source: e.source,
});

export const pointsActions: ActionTable<PointsCtx> = {
  history: action({
    allow: ['member'],
    input: pointsInputs.history,
    ops: { count: '3', what: 'caller, one page of the ledger, rules (for the daily cap)' },
    handler: async (input, ctx): Promise<PointsOutputs['history']> => {
      const { db, now } = ctx;
      const { member: me, doc } = ctx.caller;
      const today = dayOf(now);
      const _ = db.command;
      const where: Record<string, unknown> = { memberId: me._id };
      if (input.before) where.day = _.lt(input.before);
      const PAGE = 30;
      const [res, rules] = await Promise.all([
        db.collection('points_ledger').where(where).orderBy('day', 'desc').orderBy('at', 'desc').limit(PAGE).get(),
        rulesFor(db, me.path),
      ]);
      const entries = (res.data as LedgerEntry[]).map(toLedgerView);
      return {
        total: doc.pointsTotal ?? 0,
        today: pointsToday(doc, today),
        dailyCap: effectiveRules(rules.doc, today).dailyCap,
        entries,
        next: entries.length === PAGE ? entries[entries.length - 1].day : null,
      };
    },
  }),

  rules: action({
    allow: ['member', 'organiser'],
    input: pointsInputs.rules,
    ops: { count: '3–4', what: "caller, [organiser's node], rules on the path, org node" },
    handler: async (_in, ctx): Promise<PointsOutputs['rules']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const path = me.role === 'organiser' && me.scopeId ? await organiserPath(db, me.scopeId) : me.path;
      const { doc, orgId } = await rulesFor(db, path);
      const node = await getDoc<OrgNode>(db, 'org_nodes', orgId);
      return view(doc, orgId, node?.name ?? '', dayOf(now), me.role === 'organiser' && me.scopeId === orgId);
    },
  }),

  setRules: action({
    allow: ['organiser'],
    input: pointsInputs.setRules,
    ops: { count: '5', what: 'caller, node, tx(start, rules, rules write, commit) — applies from tomorrow' },
    handler: async (input, ctx): Promise<PointsOutputs['setRules']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const orgId = me.scopeId;
      const today = dayOf(now);
      const node = await getDoc<OrgNode>(db, 'org_nodes', orgId);
      if (!node) throw new AppError('FAILED_PRECONDITION', '找不到您管理的组织');
      let saved: StoredRules | null = null;
      await db.runTransaction(async (tx: Db) => {
        const doc = await getDoc<StoredRules>(tx, 'points_rules', orgId);
        const next = scheduleRules(doc, orgId, input, today, addDays(today, 1), { name: me.name, at: now });
        await tx.collection('points_rules').doc(orgId).set({ data: stripId(next) });
        saved = next;
      });
      return view(saved, orgId, node.name, today, true);
    },
  }),
};

async function organiserPath(db: Db, scopeId: string): Promise<string[]> {
  const node = await getDoc<OrgNode>(db, 'org_nodes', scopeId);
  return node ? nodeFullPath(node) : [scopeId];
}
