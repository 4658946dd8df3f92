import type { Caller, CallerMember, MemberRole } from './router';

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
 * Who is calling, from the one identity CloudBase vouches for (getWXContext().OPENID). Exactly one
 * database read, so every action pays the same small fixed price for authorisation. The raw document
 * is handed back too, for actions (like `me`) that would otherwise read it again.
 */
export async function loadCallerWithDoc(
  db: CallerDb,
  openid: string,
): Promise<{ caller: Caller; doc: StoredMember | null }> {
  const res = await db.collection('org_members').where({ openid, status: 'active' }).limit(1).get();
  const doc = (res.data[0] as StoredMember | undefined) ?? null;
  return { caller: { openid, member: doc ? toCallerMember(doc) : null }, doc };
}

export async function loadCaller(db: CallerDb, openid: string): Promise<Caller> {
  return (await loadCallerWithDoc(db, openid)).caller;
}

/**
 * The caller loader every function hands to runAction: one read of the caller, with the stored
 * member kept in `keep.doc` for handlers that need more of it (counters, profile) without a re-read.
 */
export const callerLoader =
  (db: CallerDb, keep: { doc: unknown }) =>
  async (openid: string): Promise<Caller> => {
    const { caller, doc } = await loadCallerWithDoc(db, openid);
    keep.doc = doc;
    return caller;
  };
