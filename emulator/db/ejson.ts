/**
 * EJSON as wx-server-sdk 4.0.2 (through @cloudbase/database) puts it on the wire, and the two JSON
 * encodings the emulator uses for documents.
 *
 * Requests: query, data, order, projection and every aggregate stageValue are *strings* produced by
 * `EJSON.stringify(x, { relaxed: false })` (canonical), e.g. `{"n":{"$numberInt":"5"}}`. We parse
 * them in relaxed mode so numbers come back as plain JS numbers: canonical parsing would hand mingo
 * Int32/Double wrapper objects and `$inc` on such a wrapper silently does nothing.
 * Two things still need translating after parsing:
 *   - `{"$regularExpression":{pattern,options}}` parses to a bson BSONRegExp; mingo wants a RegExp.
 *   - `{"$tcb_server_date":{"offset":n}}` (db.serverDate()) means "server time + offset ms".
 *
 * Responses: the SDK runs `EJSON.parse(item)` on every element of `data.list`, so documents go
 * back as EJSON strings (relaxed, so dates travel as `{"$date":"…"}` and revive as Date).
 *
 * Storage: documents are stored in SQLite as plain JSON with dates as `{"$date": <epoch ms>}`.
 */
import { BSONRegExp, EJSON, ObjectId, Long, Decimal128, Int32, Double, Binary } from 'bson';

/** JS RegExp accepts a subset of Mongo's flags; `x` (extended) has no JS equivalent. */
const JS_REGEX_FLAGS = new Set(['i', 'm', 's', 'u', 'g', 'y']);

function toRegExp(pattern: string, options: string): RegExp {
  const flags = [...new Set(options.split(''))].filter((f) => JS_REGEX_FLAGS.has(f)).join('');
  return new RegExp(pattern, flags);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Turns what `EJSON.parse(…, { relaxed: true })` returns into plain JS values that mingo and the
 * store understand. `now` is injectable so tests can pin server time.
 */
export function reviveRequestValue(value: unknown, now: () => number = Date.now): unknown {
  if (value === null || value === undefined) return value;
  if (value instanceof Date || value instanceof RegExp) return value;
  if (value instanceof BSONRegExp) return toRegExp(value.pattern, value.options);
  if (value instanceof ObjectId) return value.toHexString();
  if (value instanceof Long) return value.toNumber();
  if (value instanceof Int32 || value instanceof Double) return value.valueOf();
  if (value instanceof Decimal128) return Number(value.toString());
  if (value instanceof Binary) return Buffer.from(value.buffer);
  if (Array.isArray(value)) return value.map((v) => reviveRequestValue(v, now));
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && keys[0] === '$tcb_server_date') {
      const spec = obj.$tcb_server_date as { offset?: unknown } | undefined;
      const offset = Number(reviveRequestValue(spec?.offset, now) ?? 0) || 0;
      return new Date(now() + offset);
    }
    if (keys.length === 1 && keys[0] === '$regularExpression' && isPlainObject(obj.$regularExpression)) {
      const re = obj.$regularExpression as { pattern?: string; options?: string };
      return toRegExp(String(re.pattern ?? ''), String(re.options ?? ''));
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = reviveRequestValue(obj[k], now);
    return out;
  }
  return value;
}

/** Decodes one EJSON string from a request (query, data, order, projection, stageValue). */
export function decodeEJSON(text: string, now: () => number = Date.now): any {
  return reviveRequestValue(EJSON.parse(text, { relaxed: true }), now);
}

/** Decodes a request field that may be absent, already an object (some callers send objects), or an EJSON string. */
export function decodeMaybeEJSON(value: unknown, now: () => number = Date.now): any {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return decodeEJSON(value, now);
  // Round-trip through EJSON text so bson instances and {$numberInt: …} wrappers decode alike.
  return decodeEJSON(EJSON.stringify(value as Record<string, unknown>, { relaxed: false }), now);
}

/** Encodes one document for a response list item: the SDK `EJSON.parse`s each item. */
export function encodeEJSON(doc: unknown): string {
  return EJSON.stringify(doc as Record<string, unknown>, { relaxed: true });
}

// ---------------------------------------------------------------------------------------------
// Storage codec: plain JSON, Date ⇄ {"$date": ms}. JSON.stringify would call Date#toJSON before a
// replacer sees the Date, so we walk the value ourselves.

// Bound once: a global lookup per value is slow inside a vm context (jest), and documents are
// written and read by the thousand.
const { isArray } = Array;
const { keys: ownKeys, defineProperty } = Object;
const { isFinite } = Number;
const { isBuffer } = Buffer;
const DateType = Date;
const RegExpType = RegExp;

/** Sets `o[k] = v` as an own property, also for a key named "__proto__" (assigning would set the prototype). */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

export function toStorable(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'number' && !isFinite(value) ? null : value;
  if (value instanceof DateType) return { $date: value.getTime() };
  if (isArray(value)) return value.map((v) => (v === undefined ? null : toStorable(v)));
  if (value instanceof RegExpType) return { $regex: value.source, $options: value.flags };
  if (isBuffer(value)) return { $binary: value.toString('base64') };
  const o = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of ownKeys(o)) {
    const v = o[k];
    if (v !== undefined) setOwn(out, k, toStorable(v));
  }
  return out;
}

export function serializeDoc(doc: unknown): string {
  return JSON.stringify(toStorable(doc));
}

/** `{ $date }` and `{ $binary }` back to Date and Buffer, in place, depth first (as a reviver would). */
function revive(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = revive(v[i]);
    return v;
  }
  const o = v as Record<string, unknown>;
  const keys = ownKeys(o);
  for (const k of keys) {
    const x = o[k];
    const r = revive(x);
    // a stored "__proto__" key is an own property (JSON.parse makes it one)
    if (r !== x) setOwn(o, k, r);
  }
  if (keys.length === 1) {
    if (keys[0] === '$date' && typeof o.$date === 'number') return new DateType(o.$date);
    if (keys[0] === '$binary' && typeof o.$binary === 'string') return Buffer.from(o.$binary, 'base64');
  }
  return v;
}

export function deserializeDoc<T = Record<string, unknown>>(text: string): T {
  const parsed: unknown = JSON.parse(text);
  // most stored values carry no date or binary at all
  return (text.includes('"$') ? revive(parsed) : parsed) as T;
}

/**
 * Deep copy through the stored form. Unlike structuredClone, the copy's Dates belong to this
 * module's realm, which matters where code runs inside a vm context (jest).
 */
export function cloneDoc<T>(doc: T): T {
  return deserializeDoc<T>(serializeDoc(doc));
}
