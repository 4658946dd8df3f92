/**
 * The emulator's durable document store: SQLite (better-sqlite3, WAL) holding one table per
 * collection, `_id TEXT PRIMARY KEY, doc TEXT` (the document as JSON, dates as {"$date": ms}),
 * with mingo doing MongoDB matching, updates and aggregation on top.
 *
 * Durability: WAL + synchronous=NORMAL survives the emulator process being SIGKILLed (committed
 * pages are already in the OS); `durability: 'full'` adds an fsync per commit for power loss.
 *
 * Indexes: every index of the schema (the project's database file, db/schema.ts) becomes a SQLite
 * expression index on json_extract(doc,'$.field'). Unique ones wrap each key in ifnull(…, x'00')
 * because CloudBase (MongoDB) treats a missing field as null and allows only ONE such document,
 * whereas a SQLite UNIQUE index would allow any number of NULLs. JSON values never extract to a
 * blob, so x'00' cannot collide with a real value.
 *
 * Pushdown: top-level equality / $in conditions on `_id` and on the leading key of a declared
 * index become SQL WHERE terms, so an indexed lookup does not scan the collection. The SQL only
 * narrows to a superset; mingo always re-applies the full query. Because MongoDB equality on an
 * array field matches any element, a row whose field holds an array is kept when one of its
 * elements matches (`json_each`), so the pushdown never drops a true match.
 */
import fs from 'fs';
import path from 'path';
import crypto from 'crypto';
import Database from 'better-sqlite3';
import 'mingo/init/system';
import { Aggregator, Query, update as mingoUpdate } from 'mingo';
import { deserializeDoc, serializeDoc } from './ejson';
import { CloudError, collectionNotExist, duplicateKeyError } from './errors';
import { IndexAdvisor } from './index-advisor';
import type { Schema } from './schema';

export type Doc = Record<string, any>;

export interface StoreOptions {
  /** Folder for `db.sqlite` (created if missing). Ignored when `file` is given. */
  dataDir?: string;
  /** Explicit database file, or ':memory:' for throwaway stores in tests. */
  file?: string;
  /** Reject collections that are not in the schema with -502005, like production. */
  strict?: boolean;
  /** 'normal' (default): survives process kill. 'full': fsync per commit, survives power loss. */
  durability?: 'normal' | 'full';
  /** Collections created up front with their indexes (db/schema.ts); default none. */
  schema?: Schema;
  /**
   * Where to warn about a filtered query on a large collection with no supporting declared index
   * (db/index-advisor.ts); no warnings without it.
   */
  onUnindexedQuery?: (line: string) => void;
  /** documents above which such a query warns (default LARGE_COLLECTION_DOCS) */
  largeCollectionDocs?: number;
}

export interface FindOptions {
  sort?: Record<string, 1 | -1>;
  skip?: number;
  limit?: number;
  projection?: Record<string, unknown>;
}

export interface UpdateOptions {
  multi?: boolean;
  upsert?: boolean;
  /** merge:false in the wire protocol: the data replaces the whole document (doc().set()). */
  replace?: boolean;
}

export interface UpdateResult {
  matched: number;
  /** Documents whose content actually changed (CloudBase reports MongoDB's nModified). */
  modified: number;
  upsertedId?: string;
}

/** Production limits the emulator mirrors. */
export const LIMITS = {
  defaultLimit: 100,
  maxLimit: 1000,
  maxDocBytes: 512 * 1024,
  maxResultBytes: 1024 * 1024,
} as const;

/** Update operators the product uses; anything else is refused rather than half-supported. */
const UPDATE_OPERATORS = new Set([
  '$set', '$unset', '$inc', '$mul', '$min', '$max', '$push', '$pull', '$pullAll', '$addToSet', '$pop',
  '$rename', '$currentDate',
]);

const SIMPLE_FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;
const COLLECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_\-.]{0,127}$/;
const INTERNAL_PREFIX = '_emu_';
/** Names of the collections db.createCollection made at run time (strict mode knows them after a restart). */
const CREATED_TABLE = '_emu_created_collections';

type Scalar = string | number | boolean;
const isScalar = (v: unknown): v is Scalar =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
const sqlValue = (v: Scalar): string | number => (typeof v === 'boolean' ? (v ? 1 : 0) : v);
const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

export function newDocId(): string {
  return crypto.randomBytes(16).toString('hex');
}

export class Store {
  readonly db: Database.Database;
  readonly strict: boolean;
  readonly schema: Schema;
  /** collection → field → the SQL expression an index leads with (for pushdown). */
  private readonly pushdownExpr = new Map<string, Map<string, string>>();
  private readonly knownTables = new Set<string>();
  private readonly stmtCache = new Map<string, Database.Statement>();
  /** collections created at run time by db.createCollection, beside the schema's */
  private readonly created = new Set<string>();
  private readonly advisor?: IndexAdvisor;
  /**
   * Called before every committed write of one document (inside the SQLite transaction of the
   * write, so a throw rolls it back): the transaction layer uses it to block writes to documents a
   * transaction holds and to keep the snapshots of open transactions (admin/database.ts).
   */
  onBeforeWrite?: (coll: string, id: string) => void;

  constructor(opts: StoreOptions = {}) {
    this.strict = !!opts.strict;
    this.schema = opts.schema ?? {};
    if (opts.onUnindexedQuery) {
      this.advisor = new IndexAdvisor(this.schema, { log: opts.onUnindexedQuery, threshold: opts.largeCollectionDocs, countOf: (c) => this.count(c) });
    }
    let file = opts.file;
    if (!file) {
      if (!opts.dataDir) throw new Error('Store needs dataDir or file');
      fs.mkdirSync(opts.dataDir, { recursive: true });
      file = path.join(opts.dataDir, 'db.sqlite');
    }
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.durability === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    for (const r of this.db.prepare(`SELECT name FROM sqlite_master WHERE type='table'`).all() as { name: string }[]) {
      this.knownTables.add(r.name);
    }
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${q(CREATED_TABLE)} (name TEXT PRIMARY KEY)`);
    for (const r of this.db.prepare(`SELECT name FROM ${q(CREATED_TABLE)}`).all() as { name: string }[]) this.created.add(r.name);
    for (const name of Object.keys(this.schema)) this.createCollection(name);
  }

  // ---------------------------------------------------------------- collections and indexes

  /** Names of collections that currently have a table. */
  listCollections(): string[] {
    return [...this.knownTables].filter((t) => !t.startsWith(INTERNAL_PREFIX) && !t.startsWith('sqlite_')).sort();
  }

  /**
   * Resolves a collection for an operation: validates the name, enforces strict mode and creates
   * the table on first use in non-strict mode.
   */
  private table(coll: string): string {
    if (typeof coll !== 'string' || !COLLECTION_NAME.test(coll) || coll.startsWith(INTERNAL_PREFIX)) {
      throw new CloudError('INVALID_PARAM', `invalid collection name: ${String(coll)}`);
    }
    if (this.knownTables.has(coll) && (!this.strict || this.declared(coll))) return coll;
    if (this.strict && !this.declared(coll)) throw collectionNotExist(coll);
    this.createCollection(coll);
    return coll;
  }

  /** In the schema, or created by db.createCollection. */
  private declared(coll: string): boolean {
    return !!this.schema[coll] || this.created.has(coll);
  }

  /**
   * db.createCollection (`database.addCollection`): CloudBase creates the collection and fails when
   * it already exists ("如果集合已经存在会创建失败", Database.createCollection). No error code is
   * documented for that case: the closest documented one, DATABASE_REQUEST_FAILED (-502001), answers it.
   */
  addCollection(coll: string): void {
    if (typeof coll !== 'string' || !COLLECTION_NAME.test(coll) || coll.startsWith(INTERNAL_PREFIX)) {
      throw new CloudError('INVALID_PARAM', `invalid collection name: ${String(coll)}`);
    }
    const exists = this.strict ? this.declared(coll) : this.knownTables.has(coll);
    if (exists) throw new CloudError('DATABASE_REQUEST_FAILED', `collection already exists: ${coll}`);
    this.transaction(() => {
      this.createCollection(coll);
      this.stmt(`INSERT OR IGNORE INTO ${q(CREATED_TABLE)} (name) VALUES (?)`).run(coll);
    });
    this.created.add(coll);
  }

  private createCollection(coll: string): void {
    const t = q(coll);
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${t} (_id TEXT PRIMARY KEY, doc TEXT NOT NULL)`);
    this.knownTables.add(coll);
    const exprs = new Map<string, string>();
    const existing = new Map(
      (this.db.prepare(`SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name=?`).all(coll) as {
        name: string;
        sql: string | null;
      }[]).map((r) => [r.name, r.sql]),
    );
    const ensureIndex = (name: string, sql: string) => {
      const prev = existing.get(name);
      if (prev === sql) return;
      // The schema changed under an existing index name: rebuild it.
      if (prev !== undefined) this.db.exec(`DROP INDEX ${q(name)}`);
      this.db.exec(sql);
    };
    for (const idx of this.schema[coll]?.indexes ?? []) {
      const keys = Object.keys(idx.keys);
      const cols = keys.map((k) => {
        const extract = `json_extract(doc, '$.${k.replace(/'/g, "''")}')`;
        return idx.unique ? `ifnull(${extract}, x'00')` : extract;
      });
      const name = `${coll}__${idx.name}`;
      ensureIndex(name, `CREATE ${idx.unique ? 'UNIQUE ' : ''}INDEX ${q(name)} ON ${t} (${cols.join(', ')})`);
      const lead = keys[0];
      if (lead && SIMPLE_FIELD.test(lead) && !exprs.has(lead)) {
        exprs.set(lead, cols[0]);
        const typeName = `${coll}__${lead}__type`;
        ensureIndex(typeName, `CREATE INDEX ${q(typeName)} ON ${t} (json_type(doc, '$.${lead}'))`);
      }
    }
    this.pushdownExpr.set(coll, exprs);
  }

  private stmt(sql: string): Database.Statement {
    let s = this.stmtCache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmtCache.set(sql, s);
    }
    return s;
  }

  // ---------------------------------------------------------------- reads

  /** SQL WHERE narrowing `query` to a superset of its matches (see the header comment). */
  private pushdown(coll: string, query: Doc): { where: string; params: (string | number)[] } {
    const exprs = this.pushdownExpr.get(coll) ?? new Map<string, string>();
    const terms: string[] = [];
    const params: (string | number)[] = [];
    const visit = (cond: Doc) => {
      for (const [field, raw] of Object.entries(cond)) {
        if (field === '$and' && Array.isArray(raw)) {
          for (const sub of raw) if (sub && typeof sub === 'object' && !Array.isArray(sub)) visit(sub);
          continue;
        }
        if (field.startsWith('$')) continue;
        let values: Scalar[] | undefined;
        if (isScalar(raw)) values = [raw];
        else if (raw && typeof raw === 'object' && !Array.isArray(raw) && !(raw instanceof Date) && !(raw instanceof RegExp)) {
          const ops = Object.keys(raw);
          if (ops.length === 1 && ops[0] === '$eq' && isScalar(raw.$eq)) values = [raw.$eq];
          if (ops.length === 1 && ops[0] === '$in' && Array.isArray(raw.$in) && raw.$in.length > 0 && raw.$in.length <= 500 && raw.$in.every(isScalar)) {
            values = raw.$in;
          }
        }
        if (!values) continue;
        if (field === '_id') {
          terms.push(`_id IN (${values.map(() => '?').join(',')})`);
          params.push(...values.map((v) => String(v)));
          continue;
        }
        const expr = exprs.get(field);
        if (!expr) continue;
        // An array field matches when any element does: json_each checks that in SQLite's C code, so an
        // array-valued field such as `path` narrows without reviving every document in JavaScript.
        const marks = values.map(() => '?').join(',');
        terms.push(
          `(${expr} IN (${marks}) OR (json_type(doc, '$.${field}') = 'array' AND EXISTS (SELECT 1 FROM json_each(doc, '$.${field}') WHERE json_each.value IN (${marks}))))`,
        );
        params.push(...values.map(sqlValue), ...values.map(sqlValue));
      }
    };
    visit(query);
    return { where: terms.length ? ` WHERE ${terms.join(' AND ')}` : '', params };
  }

  /** Rows the SQL pushdown selects, revived; exposed for tests comparing pushdown with a full scan. */
  candidates(coll: string, query: Doc, usePushdown = true): Doc[] {
    const t = this.table(coll);
    const { where, params } = usePushdown ? this.pushdown(coll, query) : { where: '', params: [] };
    const rows = this.stmt(`SELECT doc FROM ${q(t)}${where}`).all(...params) as { doc: string }[];
    return rows.map((r) => deserializeDoc(r.doc));
  }

  find(coll: string, query: Doc = {}, opts: FindOptions = {}, usePushdown = true): Doc[] {
    const docs = this.candidates(coll, query, usePushdown);
    this.advisor?.check(coll, query, 'a query');
    let cursor = new Query(query).find<Doc>(docs, opts.projection && Object.keys(opts.projection).length ? opts.projection : undefined);
    if (opts.sort && Object.keys(opts.sort).length) cursor = cursor.sort(opts.sort);
    if (opts.skip) cursor = cursor.skip(opts.skip);
    if (opts.limit !== undefined) cursor = cursor.limit(opts.limit);
    return cursor.all();
  }

  findOne(coll: string, id: string): Doc | null {
    const raw = this.rawById(coll, id);
    return raw === null ? null : deserializeDoc(raw);
  }

  /** The stored JSON text of a document (null if absent): what optimistic transactions compare. */
  rawById(coll: string, id: string | number): string | null {
    const t = this.table(coll);
    const row = this.stmt(`SELECT doc FROM ${q(t)} WHERE _id = ?`).get(String(id)) as { doc: string } | undefined;
    return row ? row.doc : null;
  }

  count(coll: string, query: Doc = {}): number {
    if (!Object.keys(query).length) {
      const t = this.table(coll);
      return (this.stmt(`SELECT count(*) AS n FROM ${q(t)}`).get() as { n: number }).n;
    }
    return this.find(coll, query).length;
  }

  aggregate(coll: string, pipeline: Doc[]): Doc[] {
    const first = pipeline[0];
    const match = first && first.$match && typeof first.$match === 'object' ? (first.$match as Doc) : {};
    const docs = this.candidates(coll, match);
    this.advisor?.check(coll, match, 'an aggregate $match');
    // $lookup reads other collections through the same store.
    const agg = new Aggregator(pipeline, { collectionResolver: (name: string) => this.find(name) });
    return agg.run(docs) as Doc[];
  }

  // ---------------------------------------------------------------- writes

  /** Writes a full document (insert or replace by _id), enforcing size and unique indexes. */
  put(coll: string, doc: Doc, mode: 'insert' | 'upsert' = 'upsert'): void {
    const t = this.table(coll);
    if (doc._id === undefined || doc._id === null || doc._id === '') throw new CloudError('INVALID_PARAM', 'document _id is required');
    const text = serializeDoc(doc);
    this.onBeforeWrite?.(coll, String(doc._id));
    if (Buffer.byteLength(text) > LIMITS.maxDocBytes) {
      throw new CloudError('DATABASE_REQUEST_FAILED', `document exceeds the 512 KB size limit (${Buffer.byteLength(text)} bytes)`);
    }
    const sql =
      mode === 'insert'
        ? `INSERT INTO ${q(t)} (_id, doc) VALUES (?, ?)`
        : `INSERT INTO ${q(t)} (_id, doc) VALUES (?, ?) ON CONFLICT(_id) DO UPDATE SET doc = excluded.doc`;
    try {
      this.stmt(sql).run(String(doc._id), text);
    } catch (e) {
      throw this.translateSqliteError(e, coll, doc);
    }
  }

  private translateSqliteError(e: unknown, coll: string, doc: Doc): unknown {
    const err = e as { code?: string; message?: string };
    if (err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return duplicateKeyError(coll, '_id_', { _id: doc._id });
    if (err.code === 'SQLITE_CONSTRAINT_UNIQUE') {
      const m = /index '([^']+)'/.exec(err.message ?? '');
      const indexName = m ? m[1].replace(`${coll}__`, '') : 'unique';
      const spec = this.schema[coll]?.indexes.find((i) => i.name === indexName);
      const key: Doc = {};
      for (const k of Object.keys(spec?.keys ?? {})) key[k] = getPath(doc, k) ?? null;
      return duplicateKeyError(coll, indexName, key);
    }
    return e;
  }

  insertOne(coll: string, doc: Doc): string {
    const withId = doc._id === undefined || doc._id === null ? { _id: newDocId(), ...doc } : doc;
    if (withId._id === null || withId._id === undefined) withId._id = newDocId();
    this.put(coll, withId, 'insert');
    return String(withId._id);
  }

  /** Inserts all documents atomically (all or none); returns their ids. */
  insertMany(coll: string, docs: Doc[]): string[] {
    return this.transaction(() => docs.map((d) => this.insertOne(coll, d)));
  }

  deleteById(coll: string, id: string | number): boolean {
    const t = this.table(coll);
    this.onBeforeWrite?.(coll, String(id));
    return this.stmt(`DELETE FROM ${q(t)} WHERE _id = ?`).run(String(id)).changes > 0;
  }

  update(coll: string, query: Doc, upd: Doc, opts: UpdateOptions = {}): UpdateResult {
    return this.transaction(() => {
      let targets = this.find(coll, query);
      if (!opts.multi) targets = targets.slice(0, 1);
      let modified = 0;
      for (const doc of targets) {
        const before = serializeDoc(doc);
        const after = opts.replace ? { ...stripId(upd), _id: doc._id } : applyUpdate(doc, upd); // doc is freshly read: safe to change in place
        if (serializeDoc(after) !== before) {
          this.put(coll, after);
          modified++;
        }
      }
      if (targets.length === 0 && opts.upsert) {
        const id = query._id !== undefined && isScalar(query._id) ? query._id : newDocId();
        const base = opts.replace ? stripId(upd) : applyUpdate(seedFromQuery(query), upd);
        const doc = { ...base, _id: id };
        this.put(coll, doc, 'insert');
        return { matched: 0, modified: 0, upsertedId: String(id) };
      }
      return { matched: targets.length, modified };
    });
  }

  remove(coll: string, query: Doc, opts: { multi?: boolean } = {}): number {
    return this.transaction(() => {
      let targets = this.find(coll, query);
      if (!opts.multi) targets = targets.slice(0, 1);
      let n = 0;
      for (const d of targets) if (this.deleteById(coll, d._id)) n++;
      return n;
    });
  }

  /** Runs fn in one SQLite transaction (nested calls become savepoints); a throw rolls back. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Empties every collection (schema collections are recreated empty, others dropped). */
  clear(): void {
    this.transaction(() => {
      for (const name of this.listCollections()) {
        if (this.schema[name]) this.db.exec(`DELETE FROM ${q(name)}`);
        else {
          this.db.exec(`DROP TABLE ${q(name)}`);
          this.knownTables.delete(name);
          this.pushdownExpr.delete(name);
        }
      }
      this.db.exec(`DELETE FROM ${q(CREATED_TABLE)}`);
    });
    this.created.clear();
    this.stmtCache.clear();
  }

  close(): void {
    this.stmtCache.clear();
    if (this.db.open) this.db.close();
  }
}

// ------------------------------------------------------------------ update helpers

function stripId(doc: Doc): Doc {
  const { _id, ...rest } = doc;
  return rest;
}

export function getPath(doc: Doc, dotted: string): unknown {
  let cur: any = doc;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Equality fields of a query become the base of an upserted document, as in MongoDB. */
function seedFromQuery(query: Doc): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(query)) {
    if (k.startsWith('$') || k.includes('.')) continue;
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && Object.keys(v).some((x) => x.startsWith('$'))) {
      if ('$eq' in v) out[k] = (v as Doc).$eq;
      continue;
    }
    out[k] = v;
  }
  return out;
}

/**
 * Applies a MongoDB update document in place and returns it. mingo applies one operator per call,
 * so operators run in the order given. A document without operators is treated as $set.
 */
export function applyUpdate(doc: Doc, upd: Doc): Doc {
  const keys = Object.keys(upd);
  const hasOps = keys.some((k) => k.startsWith('$'));
  const expr: Doc = hasOps ? upd : { $set: upd };
  for (const [op, arg] of Object.entries(expr)) {
    if (!UPDATE_OPERATORS.has(op)) throw new CloudError('DATABASE_INVALID_OPERRATOR', `unsupported update operator ${op}`);
    if (arg && typeof arg === 'object') {
      for (const field of Object.keys(arg)) {
        if (field === '_id' || field.startsWith('_id.')) throw new CloudError('INVALID_PARAM', '不能更新_id的值');
      }
    }
    mingoUpdate(doc, { [op]: op === '$addToSet' ? addToSetEach(arg) : arg } as never);
  }
  return doc;
}

/**
 * `_.addToSet({ each: [...] })` reaches the server as `{ field: { each: [...] } }` (@cloudbase/database
 * sends the object unchanged) and CloudBase adds each element, as its Command.addToSet page documents;
 * MongoDB would append the object itself. `$each` (the page's second example) passes through.
 */
function addToSetEach(arg: unknown): unknown {
  if (!arg || typeof arg !== 'object' || Array.isArray(arg)) return arg;
  const out: Doc = {};
  for (const [field, value] of Object.entries(arg as Doc)) {
    const each = value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 ? (value as Doc).each : undefined;
    out[field] = Array.isArray(each) ? { $each: each } : value;
  }
  return out;
}
