/**
 * Small helpers every cloud function uses with wx-server-sdk's database. `db` is typed loosely on
 * purpose: core/ never imports the SDK, and the same helpers work on a transaction object.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = any;

/** A document without its `_id`, as `doc(id).set({ data })` wants it. */
export const stripId = <T extends { _id?: unknown }>(doc: T): Omit<T, '_id'> => {
  const { _id, ...rest } = doc;
  return rest;
};

/** One document by id, or null (inside a transaction `get()` may answer a one-element array). */
export async function getDoc<T>(db: Db, coll: string, id: string): Promise<T | null> {
  const res = await db.collection(coll).doc(id).get();
  const data = res?.data;
  return ((Array.isArray(data) ? data[0] : data) as T) ?? null;
}

/** A unique-index or primary-key clash: the write was already done (a retry, a double tap). */
export const isDuplicateKey = (e: unknown): boolean =>
  /duplicate key|E11000/i.test(String((e as { message?: string; errMsg?: string })?.message ?? (e as { errMsg?: string })?.errMsg ?? e));
