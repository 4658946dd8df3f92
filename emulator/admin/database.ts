/**
 * `database.*` actions of the /admin protocol, answered the way @cloudbase/database 1.4.3 (inside
 * wx-server-sdk 4.0.2) reads them. Response shapes, from that package's source:
 *   getDocument        → { data: { list: [EJSON string…], limit, offset } }   (query.ts / document.ts)
 *   calculateDocument  → { data: { total } }
 *   insertDocument     → { data: { insertedIds: [id…] } }                      (collection.ts add)
 *   modifyDocument     → { data: { updated, upsert_id? } }                     (set() reads upsert_id)
 *   removeDocument     → { data: { deleted } }
 *   aggregateDocuments → { data: { list: [EJSON string…] } }
 *   startTransaction   → { transactionId }   (top level, not under data)
 *   commitTransaction / abortTransaction → {}
 * Errors are `{ code, message }` with HTTP 200: node-sdk throws on any body with a `code`.
 *
 * Transactions follow WeChat's 数据库事务 guide (快照隔离):
 *   - reads inside a transaction see a snapshot: a document changed by anyone else after the
 *     transaction began still reads as it was (the first committed write after the start keeps the
 *     old text for every open transaction, `onBeforeWrite`);
 *   - a write inside a transaction changes the snapshot and puts a transaction lock on the document;
 *   - a write of another transaction to a locked document fails at that write ("其它事务的写入会直接
 *     失败"), and so does a transaction's write to a document committed by someone else after its
 *     snapshot (snapshot isolation's write conflict);
 *   - a plain (non-transaction) write to a locked document waits until the lock is released by
 *     commit, rollback or the end of the transaction's lifetime ("普通的更新操作会被阻塞");
 *   - commit writes the snapshot atomically; reads are not validated (write skew is possible, as
 *     under any snapshot isolation).
 * The failing write answers `DATABASE_TRANSACTION_CONFLICT` with production's message
 * `[ResourceUnavailable.TransactionBusy] Transaction is busy…`. wx-server-sdk 4.0.2 turns an error
 * of a document operation into `{errCode: -501001, errMsg}` without `.code`, so @cloudbase/database's
 * runTransaction, which retries only on `error.code === 'DATABASE_TRANSACTION_CONFLICT'`, does NOT
 * retry it: the function sees the error (test/emulator/transactions.test.ts pins this through the
 * real SDK).
 */
import crypto from 'crypto';
import { Query } from 'mingo';
import { cloneDoc, decodeMaybeEJSON, encodeEJSON, serializeDoc, deserializeDoc } from '../db/ejson';
import { CloudError } from '../db/errors';
import { LIMITS, Store, applyUpdate, newDocId, type Doc } from '../db/store';

interface TxState {
  id: string;
  createdAt: number;
  /**
   * `${coll}\u0000${id}` → the stored text as of this transaction's start (null = did not exist):
   * taken when the transaction first touches the document, or kept by the first write of someone
   * else after the start.
   */
  snapshots: Map<string, string | null>;
  /** Same key → document after this transaction's writes (null = removed). */
  overlay: Map<string, { coll: string; id: string; doc: Doc | null }>;
  /** ends the transaction when its lifetime is over */
  timer: NodeJS.Timeout;
}

/**
 * How long a transaction lives before it is rolled back (a function that died before commit).
 * CloudBase does not document it; MongoDB's default transactionLifetimeLimitSeconds is 60.
 */
export const TX_LIFETIME_MS = 60_000;

/** Production's message for a write to a document another transaction holds. */
export const TX_BUSY_MESSAGE =
  '[ResourceUnavailable.TransactionBusy] Transaction is busy. Please check your request, but if the problem persists, contact us.';
/** Production's message for a transaction that was committed, rolled back or expired. */
export const TX_NOT_EXIST_MESSAGE =
  '[ResourceUnavailable.TransactionNotExist] Transaction does not exist on the server. Please check your request, but if the problem persists, contact us.';

/** A committed write met a document a transaction holds: wait for the lock, then try again. */
class LockedError extends Error {
  constructor(readonly key: string) {
    super(`document ${key} is locked by a transaction`);
  }
}

const keyOf = (coll: string, id: string) => `${coll}\u0000${id}`;

export class DatabaseActions {
  private readonly txs = new Map<string, TxState>();
  /** document key → the transaction holding its lock */
  private readonly locks = new Map<string, string>();
  /** document key → plain writes waiting for its lock */
  private readonly waiting = new Map<string, Array<() => void>>();
  /** the transaction whose commit is being written (its own locks do not block it) */
  private committing: string | undefined;

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
    private readonly lifetimeMs: number = TX_LIFETIME_MS,
  ) {
    store.onBeforeWrite = (coll, id) => this.beforeCommittedWrite(coll, id);
  }

  /** Open transactions and held locks, for tests and diagnostics. */
  transactionState(): { open: number; locks: number } {
    return { open: this.txs.size, locks: this.locks.size };
  }

  private beforeCommittedWrite(coll: string, id: string): void {
    const key = keyOf(coll, id);
    const owner = this.locks.get(key);
    if (owner !== undefined && owner !== this.committing) throw new LockedError(key);
    if (!this.txs.size) return;
    let before: string | null | undefined;
    for (const tx of this.txs.values()) {
      if (tx.id === this.committing || tx.snapshots.has(key)) continue;
      if (before === undefined) before = this.store.rawById(coll, id);
      tx.snapshots.set(key, before);
    }
  }

  /** Runs a plain write; while it meets a locked document it waits for that lock and runs again. */
  private async plainWrite<T>(write: () => T): Promise<T> {
    for (;;) {
      try {
        return write();
      } catch (e) {
        if (!(e instanceof LockedError)) throw e;
        await new Promise<void>((resolve) => {
          if (!this.locks.has(e.key)) return resolve();
          const list = this.waiting.get(e.key) ?? [];
          list.push(resolve);
          this.waiting.set(e.key, list);
        });
      }
    }
  }

  private releaseLocks(tx: TxState): void {
    clearTimeout(tx.timer);
    for (const [key, owner] of this.locks) {
      if (owner !== tx.id) continue;
      this.locks.delete(key);
      const list = this.waiting.get(key);
      this.waiting.delete(key);
      for (const wake of list ?? []) wake();
    }
  }

  private decode(v: unknown): any {
    return decodeMaybeEJSON(v, this.now);
  }

  /** The `_id` of a DOC query, or of a WHERE query that is exactly `{_id: x}`. */
  private docId(body: any, query: Doc | undefined): string | undefined {
    if (!query || typeof query !== 'object') return undefined;
    const keys = Object.keys(query);
    if (keys.length === 1 && keys[0] === '_id' && (typeof query._id === 'string' || typeof query._id === 'number')) {
      return String(query._id);
    }
    if (body.queryType === 'DOC') throw new CloudError('INVALID_PARAM', 'DOC query must be {_id}');
    return undefined;
  }

  // ------------------------------------------------------------------ plain actions

  getDocument(body: any): any {
    const query: Doc = this.decode(body.query) ?? {};
    const projection = this.decode(body.projection);
    if (body.transactionId) {
      const id = this.requireDocInTx(body, query, 'get');
      const doc = this.txRead(this.tx(body.transactionId), body.collectionName, id);
      const list = doc ? [projectOne(doc, projection)] : [];
      return { data: { list: list.map(encodeEJSON) } };
    }
    const offset = Math.max(0, Number(body.offset) || 0);
    let limit = body.limit === undefined || body.limit === null ? LIMITS.defaultLimit : Number(body.limit);
    if (!Number.isFinite(limit) || limit <= 0) limit = LIMITS.defaultLimit;
    limit = Math.min(limit, LIMITS.maxLimit);
    const order = this.decode(body.order);
    const docs = this.store.find(body.collectionName, query, { sort: order, skip: offset, limit, projection });
    const list = docs.map(encodeEJSON);
    const bytes = list.reduce((n, s) => n + Buffer.byteLength(s), 0);
    if (bytes > LIMITS.maxResultBytes) {
      throw new CloudError('DATABASE_REQUEST_FAILED', `query result exceeds the 1 MB limit (${bytes} bytes); use limit() or field()`);
    }
    return { data: { list, limit, offset } };
  }

  calculateDocument(body: any): any {
    this.refuseInTx(body, 'count');
    const query: Doc = this.decode(body.query) ?? {};
    return { data: { total: this.store.count(body.collectionName, query) } };
  }

  async insertDocument(body: any): Promise<any> {
    const raw: unknown[] = Array.isArray(body.data) ? body.data : [body.data];
    const docs: Doc[] = raw.map((d) => this.decode(d));
    if (!docs.length || docs.some((d) => !d || typeof d !== 'object' || Array.isArray(d))) {
      throw new CloudError('INVALID_PARAM', 'insertDocument data must be one or more objects');
    }
    if (body.transactionId) {
      if (docs.length !== 1) throw new CloudError('INVALID_PARAM', 'only single-document add() is allowed in a transaction');
      const tx = this.tx(body.transactionId);
      const doc = { ...docs[0] };
      if (doc._id === undefined || doc._id === null) doc._id = newDocId();
      const id = String(doc._id);
      if (this.txRead(tx, body.collectionName, id)) {
        throw new CloudError('DATABASE_REQUEST_FAILED', `E11000 duplicate key error collection: ${body.collectionName} index: _id_ dup key: ${JSON.stringify({ _id: id })}`);
      }
      this.txWrite(tx, body.collectionName, id, doc);
      return { data: { insertedIds: [id] } };
    }
    const ids = await this.plainWrite(() => this.store.insertMany(body.collectionName, docs));
    return { data: { insertedIds: ids } };
  }

  async modifyDocument(body: any): Promise<any> {
    const query: Doc = this.decode(body.query) ?? {};
    const data: Doc = this.decode(body.data);
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new CloudError('INVALID_PARAM', 'update data must be an object');
    const replace = body.merge === false;
    if (body.transactionId) {
      const tx = this.tx(body.transactionId);
      const id = this.requireDocInTx(body, query, 'update/set');
      const current = this.txRead(tx, body.collectionName, id);
      if (!current) {
        if (!body.upsert) return { data: { updated: 0 } };
        const created = replace ? { ...data, _id: id } : { ...applyUpdate({}, data), _id: id };
        this.txWrite(tx, body.collectionName, id, created);
        return { data: { updated: 0, upsert_id: id } };
      }
      const next = replace ? { ...data, _id: current._id } : applyUpdate(cloneDoc(current), data);
      if ('_id' in data && replace && String(data._id) !== id) throw new CloudError('INVALID_PARAM', '不能更新_id的值');
      const changed = serializeDoc(next) !== serializeDoc(current);
      if (changed) this.txWrite(tx, body.collectionName, id, next);
      return { data: { updated: changed ? 1 : 0 } };
    }
    const res = await this.plainWrite(() =>
      this.store.update(body.collectionName, query, data, {
        multi: body.multi === true || body.multi === 'true',
        upsert: body.upsert === true,
        replace,
      }),
    );
    const out: Doc = { updated: res.modified };
    if (res.upsertedId !== undefined) out.upsert_id = res.upsertedId;
    return { data: out };
  }

  async removeDocument(body: any): Promise<any> {
    const query: Doc = this.decode(body.query) ?? {};
    if (body.transactionId) {
      const tx = this.tx(body.transactionId);
      const id = this.requireDocInTx(body, query, 'remove');
      const current = this.txRead(tx, body.collectionName, id);
      if (!current) return { data: { deleted: 0 } };
      this.txWrite(tx, body.collectionName, id, null);
      return { data: { deleted: 1 } };
    }
    const multi = body.multi === undefined ? body.queryType !== 'DOC' : body.multi === true || body.multi === 'true';
    return { data: { deleted: await this.plainWrite(() => this.store.remove(body.collectionName, query, { multi })) } };
  }

  aggregateDocuments(body: any): any {
    this.refuseInTx(body, 'aggregate');
    const stages: { stageKey: string; stageValue: unknown }[] = Array.isArray(body.stages) ? body.stages : [];
    const pipeline = stages.map((s) => {
      if (typeof s?.stageKey !== 'string' || !s.stageKey.startsWith('$')) throw new CloudError('INVALID_PARAM', 'invalid aggregate stage');
      return { [s.stageKey]: this.decode(s.stageValue) };
    });
    const list = this.store.aggregate(body.collectionName, pipeline).map(encodeEJSON);
    return { data: { list } };
  }

  // ------------------------------------------------------------------ transactions

  startTransaction(): any {
    const id = crypto.randomBytes(12).toString('hex');
    const timer = setTimeout(() => {
      const tx = this.txs.get(id);
      if (!tx) return;
      this.txs.delete(id);
      this.releaseLocks(tx);
    }, this.lifetimeMs);
    timer.unref?.();
    this.txs.set(id, { id, createdAt: this.now(), snapshots: new Map(), overlay: new Map(), timer });
    return { transactionId: id };
  }

  commitTransaction(body: any): any {
    const tx = this.tx(body.transactionId);
    this.txs.delete(tx.id);
    this.committing = tx.id;
    try {
      this.store.transaction(() => {
        for (const { coll, id, doc } of tx.overlay.values()) {
          if (doc === null) this.store.deleteById(coll, id);
          else this.store.put(coll, doc);
        }
      });
    } finally {
      this.committing = undefined;
      this.releaseLocks(tx);
    }
    return {};
  }

  abortTransaction(body: any): any {
    const tx = this.txs.get(String(body.transactionId));
    if (tx) {
      this.txs.delete(tx.id);
      this.releaseLocks(tx);
    }
    return {};
  }

  private tx(id: unknown): TxState {
    const tx = this.txs.get(String(id));
    if (!tx) throw new CloudError('DATABASE_TRANSACTION_FAIL', TX_NOT_EXIST_MESSAGE);
    return tx;
  }

  private requireDocInTx(body: any, query: Doc, what: string): string {
    const id = this.docId(body, query);
    if (id === undefined || body.queryType !== 'DOC') {
      throw new CloudError('INVALID_PARAM', `only single-document doc().${what} is allowed in a transaction`);
    }
    return id;
  }

  private refuseInTx(body: any, what: string): void {
    if (body.transactionId) throw new CloudError('INVALID_PARAM', `${what} is not allowed in a transaction`);
  }

  /** A document as this transaction sees it: its own writes, else its snapshot. */
  private txRead(tx: TxState, coll: string, id: string): Doc | null {
    const key = keyOf(coll, id);
    const o = tx.overlay.get(key);
    if (o) return o.doc ? cloneDoc(o.doc) : null;
    let raw: string | null;
    if (tx.snapshots.has(key)) raw = tx.snapshots.get(key)!;
    else {
      raw = this.store.rawById(coll, id);
      tx.snapshots.set(key, raw);
    }
    return raw === null ? null : deserializeDoc(raw);
  }

  /** A write inside a transaction: fails at once on another's lock or a newer committed version. */
  private txWrite(tx: TxState, coll: string, id: string, doc: Doc | null): void {
    const key = keyOf(coll, id);
    const owner = this.locks.get(key);
    if (owner !== undefined && owner !== tx.id) throw new CloudError('DATABASE_TRANSACTION_CONFLICT', TX_BUSY_MESSAGE);
    const current = this.store.rawById(coll, id);
    if (!tx.snapshots.has(key)) tx.snapshots.set(key, current);
    else if (owner === undefined && tx.snapshots.get(key) !== current) {
      // committed by someone else after this transaction's snapshot: a write conflict
      throw new CloudError('DATABASE_TRANSACTION_CONFLICT', TX_BUSY_MESSAGE);
    }
    this.locks.set(key, tx.id);
    tx.overlay.set(key, { coll, id, doc });
  }
}

function projectOne(doc: Doc, projection: Doc | undefined): Doc {
  if (!projection || !Object.keys(projection).length) return doc;
  return new Query({}).find<Doc>([doc], projection).all()[0];
}
