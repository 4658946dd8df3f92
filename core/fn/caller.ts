/**
 * Who is calling, and who may call an action at all. The identity is the one CloudBase vouches for
 * (getWXContext().OPENID); role and scope come from the caller's stored org_members record, read
 * once per call, never from the payload.
 *
 * Each audience is a narrowing: a function that either refuses a caller or hands back the same
 * caller typed as that audience (a secretary with a branch, an organiser with a scope). The router's
 * check and the handler's type are both that function, so they cannot drift apart: loosen a check
 * and the narrowed value no longer type-checks.
 *   guest     any WeChat user with an OPENID, member or not (e.g. someone opening an invite)
 *   member    an active member of a branch (secretaries and organisers with a branch included)
 *   secretary a 支部书记 of a branch
 *   organiser an 上级管理员 of a subtree
 * Scope checks (which branch, which subtree) happen inside the handler, because they depend on
 * the input; the audience gate runs first and never reads the payload.
 */

export type Audience = 'guest' | 'member' | 'secretary' | 'organiser';

export type MemberRole = 'member' | 'secretary' | 'organiser';

/** The stored member document, as far as identity and scope are concerned. */
export interface StoredMember {
  _id: string;
  name: string;
  role?: MemberRole;
  status?: 'active' | 'left';
  branchId?: string | null;
  path?: string[];
  scopeId?: string | null;
  openid?: string | null;
  [key: string]: unknown;
}

/** The caller's member record in the shape every rule reads. */
export interface CallerMember {
  _id: string;
  name: string;
  role: MemberRole;
  status: 'active' | 'left';
  branchId: string | null;
  /** ancestors of the member's branch, root first, branch last */
  path: string[];
  /** organiser only: the org node whose subtree they oversee */
  scopeId?: string | null;
}

/**
 * The caller as loaded: the identity, and (when the OPENID belongs to an active member) the member
 * and the stored document it came from. `D` is what the function's stored members hold beyond
 * identity (counters, profile); the document travels with the caller so no handler reads it again.
 */
export interface Caller<D = StoredMember> {
  openid: string;
  member: CallerMember | null;
  doc: D | null;
}

type ActiveMember = CallerMember & { status: 'active' };

export type GuestCaller<D = StoredMember> = Caller<D>;
export interface MemberCaller<D = StoredMember> {
  openid: string;
  member: ActiveMember & { branchId: string };
  doc: D;
}
export interface SecretaryCaller<D = StoredMember> {
  openid: string;
  member: ActiveMember & { role: 'secretary'; branchId: string };
  doc: D;
}
export interface OrganiserCaller<D = StoredMember> {
  openid: string;
  member: ActiveMember & { role: 'organiser'; scopeId: string };
  doc: D;
}

/** The caller type of each audience. */
export interface CallerOf<D = StoredMember> {
  guest: GuestCaller<D>;
  member: MemberCaller<D>;
  secretary: SecretaryCaller<D>;
  organiser: OrganiserCaller<D>;
}

/** What a handler of `allow: A[]` receives: a union when the list mixes audiences. */
export type CallerFor<A extends Audience, D = StoredMember> = CallerOf<D>[A];

type Narrowing<D> = { [A in Audience]: (c: Caller<D>) => CallerOf<D>[A] | null };

/**
 * The audiences as narrowings. Each returns the caller's own values (never new ones) retyped, or
 * null; TypeScript checks that the checks made are exactly what the type promises.
 */
function narrowings<D>(): Narrowing<D> {
  return {
    guest: (c) => (c.openid !== '' ? c : null),
    member: (c) => {
      const m = c.member;
      if (c.openid === '' || !m || m.status !== 'active' || m.branchId === null || c.doc === null) return null;
      return { openid: c.openid, member: { ...m, status: m.status, branchId: m.branchId }, doc: c.doc };
    },
    secretary: (c) => {
      const m = c.member;
      if (c.openid === '' || !m || m.status !== 'active' || m.role !== 'secretary' || m.branchId === null || c.doc === null) return null;
      return { openid: c.openid, member: { ...m, status: m.status, role: m.role, branchId: m.branchId }, doc: c.doc };
    },
    organiser: (c) => {
      const m = c.member;
      if (c.openid === '' || !m || m.status !== 'active' || m.role !== 'organiser' || !m.scopeId || c.doc === null) return null;
      return { openid: c.openid, member: { ...m, status: m.status, role: m.role, scopeId: m.scopeId }, doc: c.doc };
    },
  };
}

const NARROW = narrowings<unknown>();

/**
 * The caller typed as the first audience of `allow` it belongs to, or null when it belongs to none.
 * The router lets a call through exactly when this is not null, and hands the handler this value.
 */
export function narrowCaller<A extends Audience, D>(allow: readonly A[], caller: Caller<D>): CallerFor<A, D> | null {
  const by = NARROW as Narrowing<D>;
  for (const a of allow) {
    const narrowed = by[a](caller);
    if (narrowed) return narrowed;
  }
  return null;
}

export function audienceAllows(allow: readonly Audience[], caller: Caller<unknown>): boolean {
  return narrowCaller(allow, caller) !== null;
}

export function toCallerMember(doc: StoredMember): CallerMember {
  return {
    _id: doc._id,
    name: doc.name,
    role: doc.role ?? 'member',
    status: doc.status ?? 'active',
    branchId: doc.branchId ?? null,
    path: Array.isArray(doc.path) ? doc.path : [],
    scopeId: doc.role === 'organiser' ? (doc.scopeId ?? null) : null,
  };
}

/**
 * The slice of a CloudBase database handle that loadCaller needs. Typed structurally so core/ never
 * imports an SDK; wx-server-sdk's `cloud.database()` satisfies it.
 */
export interface CallerDb {
  collection(name: string): {
    where(query: Record<string, unknown>): {
      limit(n: number): { get(): Promise<{ data: unknown[] }> };
    };
  };
}

/**
 * The caller of one call: exactly one database read, so every action pays the same small fixed
 * price for authorisation.
 */
export async function loadCaller(db: CallerDb, openid: string): Promise<Caller<StoredMember>> {
  const res = await db.collection('org_members').where({ openid, status: 'active' }).limit(1).get();
  const doc = (res.data[0] as StoredMember | undefined) ?? null;
  return { openid, member: doc ? toCallerMember(doc) : null, doc };
}
