/**
 * Every collection and index of the product's cloud database: the same list an engineer creates in
 * the CloudBase console (数据库 → 新建集合 → 索引管理). The emulator creates exactly these, enforces the
 * unique ones, and in strict mode rejects any other collection name with CloudBase's -502005.
 *
 * Collection names start with the feature word (org_, quiz_, activity_, study_, points_).
 * CloudBase treats a missing field as null in a unique index: only one document may lack it.
 */
export interface IndexSpec {
  name: string;
  /** field path → 1 (ascending) or -1 (descending); dotted paths reach into sub-documents */
  keys: Record<string, 1 | -1>;
  unique?: boolean;
}

export interface CollectionSpec {
  description: string;
  indexes: IndexSpec[];
}

export const DB_SCHEMA: Record<string, CollectionSpec> = {
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
};

export type CollectionName = keyof typeof DB_SCHEMA;
