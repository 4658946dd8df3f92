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
 * Transactions are optimistic. Reads and writes inside one carry `transactionId`; writes are
 * buffered in an overlay (reads see them) and applied atomically at commit. Every document the
 * transaction touched is remembered with the stored text it had when first touched; at commit, if
 * any of them changed meanwhile (another transaction or a plain write), the answer is
 * DATABASE_TRANSACTION_CONFLICT. The conflict must be reported by *commit*: wx-server-sdk rewrites
 * errors from reads/writes inside the callback into {errCode, errMsg} and loses the `code` that
 * @cloudbase/database's runTransaction retries on, whereas commit errors reach it untouched.
 */
import crypto from 'crypto';
import { Query } from 'mingo';
import { cloneDoc, decodeMaybeEJSON, encodeEJSON, serializeDoc, deserializeDoc } from '../db/ejson';
import { CloudError } from '../db/errors';
import { LIMITS, Store, applyUpdate, newDocId, type Doc } from '../db/store';

interface TxState {
  id: string;
  createdAt: number;
  /** `${coll}\u0000${id}` → stored text when first touched (null = did not exist). */
  snapshots: Map<string, string | null>;
  /** Same key → document after this transaction's writes (null = removed). */
  overlay: Map<string, { coll: string; id: string; doc: Doc | null }>;
}

/** Abandoned transactions (a crashed function) are dropped after this long. */
const TX_TTL_MS = 60_000;

export class DatabaseActions {
  private readonly txs = new Map<string, TxState>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

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

  insertDocument(body: any): any {
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
    const ids = this.store.insertMany(body.collectionName, docs);
    return { data: { insertedIds: ids } };
  }

  modifyDocument(body: any): any {
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
    const res = this.store.update(body.collectionName, query, data, {
      multi: body.multi === true || body.multi === 'true',
      upsert: body.upsert === true,
      replace,
    });
    const out: Doc = { updated: res.modified };
    if (res.upsertedId !== undefined) out.upsert_id = res.upsertedId;
    return { data: out };
  }

  removeDocument(body: any): any {
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
    return { data: { deleted: this.store.remove(body.collectionName, query, { multi }) } };
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
    this.sweep();
    const id = crypto.randomBytes(12).toString('hex');
    this.txs.set(id, { id, createdAt: this.now(), snapshots: new Map(), overlay: new Map() });
    return { transactionId: id };
  }

  commitTransaction(body: any): any {
    const tx = this.tx(body.transactionId);
    this.txs.delete(tx.id);
    this.store.transaction(() => {
      for (const [key, snap] of tx.snapshots) {
        const [coll, id] = key.split('\u0000');
        if (this.store.rawById(coll, id) !== snap) {
          throw new CloudError('DATABASE_TRANSACTION_CONFLICT', `transaction conflict on ${coll}/${id}: it changed after this transaction read it`);
        }
      }
      for (const { coll, id, doc } of tx.overlay.values()) {
        if (doc === null) this.store.deleteById(coll, id);
        else this.store.put(coll, doc);
      }
    });
    return {};
  }

  abortTransaction(body: any): any {
    this.txs.delete(String(body.transactionId));
    return {};
  }

  private tx(id: unknown): TxState {
    const tx = this.txs.get(String(id));
    if (!tx) throw new CloudError('DATABASE_REQUEST_FAILED', `transaction ${String(id)} does not exist (committed, aborted or expired)`);
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

  /** A document as this transaction sees it; the first touch records the snapshot. */
  private txRead(tx: TxState, coll: string, id: string): Doc | null {
    const key = `${coll}\u0000${id}`;
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

  private txWrite(tx: TxState, coll: string, id: string, doc: Doc | null): void {
    const key = `${coll}\u0000${id}`;
    if (!tx.snapshots.has(key)) tx.snapshots.set(key, this.store.rawById(coll, id));
    tx.overlay.set(key, { coll, id, doc });
  }

  private sweep(): void {
    const cutoff = this.now() - TX_TTL_MS;
    for (const [id, tx] of this.txs) if (tx.createdAt < cutoff) this.txs.delete(id);
  }
}

function projectOne(doc: Doc, projection: Doc | undefined): Doc {
  if (!projection || !Object.keys(projection).length) return doc;
  return new Query({}).find<Doc>([doc], projection).all()[0];
}
