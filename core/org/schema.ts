/** Collections of org & membership (组织与党员). Listed in the product schema by core/db-schema.ts. */
import type { CollectionSpec } from '../db-schema';

export const ORG_SCHEMA: Record<string, CollectionSpec> = {
  org_nodes: {
    description: '组织树: 区委 → 街道党工委 → 社区党委 → 党支部 → 党小组; path lists ancestor ids',
    indexes: [
      { name: 'parent', keys: { parentId: 1, sort: 1 } },
      { name: 'path', keys: { path: 1 } },
    ],
  },
  org_members: {
    description: '党员: one per person, bound to a WeChat openid once they join; phone is the natural key',
    indexes: [
      { name: 'phone_unique', keys: { phone: 1 }, unique: true },
      { name: 'openid', keys: { openid: 1 } },
      { name: 'branch', keys: { branchId: 1, status: 1 } },
      { name: 'path', keys: { path: 1 } },
    ],
  },
  org_bindings: {
    description: 'openid → member; _id is the openid, so one WeChat identity binds to one member',
    indexes: [{ name: 'member_unique', keys: { memberId: 1 }, unique: true }],
  },
  org_invites: {
    description: '支部邀请码: _id is the code',
    indexes: [{ name: 'branch', keys: { branchId: 1, createdAt: -1 } }],
  },
  org_applications: {
    description: '入支部申请: _id = `${branchId}:${openid}`, so one open application per person per branch',
    indexes: [
      { name: 'branch_status', keys: { branchId: 1, status: 1, createdAt: -1 } },
      { name: 'openid', keys: { openid: 1 } },
    ],
  },
  org_transfers: {
    description: '流动党员转接记录: every move between branches, kept for history',
    indexes: [
      { name: 'member', keys: { memberId: 1, at: -1 } },
      { name: 'from', keys: { fromBranchId: 1, at: -1 } },
      { name: 'to', keys: { toBranchId: 1, at: -1 } },
    ],
  },
  org_apply_limits: {
    description: '入支部申请次数: _id = `${openid}:${day}` (China time), count of applications that day',
    indexes: [],
  },
  org_member_id_map: {
    description: '党员编号迁移: _id = an old phone-derived member id, newId = its random replacement (docs/member-ids.md)',
    indexes: [],
  },
  org_migrations: {
    description: '数据迁移进度: _id = the migration (member-ids); phase, collection, cursor, totals',
    indexes: [],
  },
};
