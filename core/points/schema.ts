/** Collections of points (积分). Listed in the product schema by core/db-schema.ts. */
import type { CollectionSpec } from '../db-schema';

export const POINTS_SCHEMA: Record<string, CollectionSpec> = {
  points_ledger: {
    description:
      '积分账本 (红色手账): one entry per award, _id = `${source.type}:${source.id}:${memberId}`; the daily quiz answer is its own entry (source quiz, id = day)',
    indexes: [
      { name: 'member_day', keys: { memberId: 1, day: -1 } },
      { name: 'member_source', keys: { memberId: 1, 'source.type': 1, day: -1 } },
    ],
  },
  points_rules: {
    description: '积分规则 per org (_id = orgId): current rules, the change that applies from tomorrow, history',
    indexes: [],
  },
};
