/**
 * Rewriting old member ids (docs/member-ids.md): the pure part, no SDK.
 *
 * Member ids used to be `m_` + an unsalted 64-bit FNV-1a of the phone, so anyone who saw an id next
 * to a masked phone could recover the whole number. They are now random (`newMemberId`). A deployed
 * database is migrated by the `org` function's `migrateMemberIds` action, one bounded step per call:
 *
 *   map      every old-style member id gets a random replacement in `org_member_id_map`
 *            (`_id` = old id), written before any document changes, so an interrupted run resumes
 *            with the same replacements and a re-run changes nothing;
 *   refs     every other collection, document by document in `_id` order: every string holding an
 *            old id (a field, an array element, a segment of a compound id such as
 *            `${activityId}:${memberId}`) gets the new one. A document whose `_id` changes is written
 *            under the new `_id` first and the old one removed after (CloudBase cannot change an `_id`);
 *   members  each member document moves to its new `_id` (remove + insert in one transaction, so
 *            the unique phone index never sees two and the member is never missing);
 *   sweep    `refs` once more, for anything written with an old id while the run went on;
 *   done.
 *
 * The rewrite is by value, not by a list of fields: any string that holds an old id as a whole token
 * is rewritten, wherever it is, so a field added later cannot keep an old id by being forgotten.
 * MEMBER_ID_REFERENCES records where the product keeps member ids today (for the reader, for the
 * tests, and for how many documents of a collection one read may take).
 */
import type { MemberIdMigrationPhase } from './contracts';

/** The old phone-derived id: `m_` + 16 hex digits. */
export const LEGACY_MEMBER_ID_RE = /^m_[0-9a-f]{16}$/;

/** An old id as a whole token inside a longer string (`quiz:2025-06-01:m_…`, `a12:m_…`). */
const LEGACY_TOKEN_RE = /(?<![0-9A-Za-z_])m_[0-9a-f]{16}(?![0-9A-Za-z_])/g;

export const MIGRATION_ID = 'member-ids';
export const MAP_COLLECTION = 'org_member_id_map';
export const STATE_COLLECTION = 'org_migrations';
export const MEMBERS_COLLECTION = 'org_members';

export interface MemberIdReferences {
  /** how the `_id` holds a member id, if it does */
  id?: string;
  /** the `_id` is a WeChat openid: never rewritten */
  idIsOpenid?: boolean;
  /** fields holding member ids; `a[].b` is field b of every element of array a */
  fields: string[];
  /** documents per read when the documents are large (1 MB per query result) */
  batch?: number;
}

/** Where member ids live today, collection by collection (every collection of the schema is listed). */
export const MEMBER_ID_REFERENCES: Record<string, MemberIdReferences> = {
  org_nodes: { fields: [] },
  org_members: { id: 'memberId (the member itself: moved in the members phase)', fields: [] },
  org_bindings: { idIsOpenid: true, fields: ['memberId'] },
  org_invites: { fields: ['createdBy'] },
  org_applications: { fields: ['memberId', 'reviewedBy'] },
  org_transfers: { id: '`${memberId}:${seq}`', fields: ['memberId', 'byId'] },
  org_apply_limits: { fields: [] },
  org_member_id_map: { fields: [] },
  org_migrations: { fields: [] },
  quiz_questions: { fields: [], batch: 200 },
  quiz_sets: { fields: ['pinnedBy'] },
  quiz_config: { fields: [] },
  quiz_mastered: { id: 'memberId', fields: [] },
  quiz_reminders: { fields: ['byId'] },
  points_ledger: { id: '`${source.type}:${source.id}:${memberId}`', fields: ['memberId', 'source.id'] },
  points_rules: { fields: [], batch: 100 },
  study_lessons: { fields: ['createdBy'], batch: 100 },
  study_sessions: { idIsOpenid: true, fields: ['memberId'] },
  study_progress: { id: '`${memberId}:${lessonId}`', fields: ['memberId'] },
  study_credits: { id: '`${source}:${sourceId}:${memberId}`', fields: ['memberId', 'by'] },
  study_totals: { id: '`${year}:${memberId}`', fields: ['memberId'], batch: 200 },
  study_offline: { fields: ['memberIds[]', 'recordedBy'], batch: 50 },
  study_targets: { fields: [] },
  study_reminders: { id: '`${lessonId}:${memberId}`', fields: ['memberId'] },
  activity_items: { fields: ['createdBy', 'roster[].id', 'changes[].by', 'flagged[].memberId'], batch: 10 },
  activity_attendance: { id: '`${activityId}:${memberId}`', fields: ['memberId', 'byId', 'reviewedBy', 'history[].by'] },
  activity_reads: { id: '`${activityId}:${memberId}`', fields: ['memberId'] },
  activity_subs: { id: '`${activityId}:${memberId}`', fields: ['memberId'] },
  activity_code_tries: { id: '`${activityId}:${memberId}`', fields: ['memberId'] },
  activity_minutes: { fields: ['hostId', 'recorderId', 'createdBy', 'updatedBy'], batch: 50 },
  activity_minutes_versions: { fields: ['hostId', 'recorderId', 'savedBy', 'replacedBy'], batch: 50 },
  activity_uploads: { fields: [] },
  activity_checklists: { fields: ['items[].by'] },
  activity_org_rules: { fields: ['updatedBy'] },
  activity_cadence: { fields: [] },
  activity_cadence_subs: { id: '`${branchId}:${memberId}`', fields: ['memberId'] },
  activity_cadence_reminders: { fields: ['memberId'] },
  consistency_reports: { fields: ['reports[].differences[].id'], batch: 5 },
};

const DEFAULT_BATCH = 500;

/**
 * The collections the refs and sweep phases walk, in a fixed order: every collection of the schema
 * except the members themselves and the migration's own bookkeeping.
 */
export function scanCollections(schema: Record<string, unknown>): string[] {
  const own = new Set([MEMBERS_COLLECTION, MAP_COLLECTION, STATE_COLLECTION]);
  return Object.keys(schema).filter((c) => !own.has(c));
}

export function batchSize(coll: string): number {
  return MEMBER_ID_REFERENCES[coll]?.batch ?? DEFAULT_BATCH;
}

/** Whether a collection's `_id` is left alone (it is a WeChat openid, never a member id). */
export function keepsId(coll: string): boolean {
  return !!MEMBER_ID_REFERENCES[coll]?.idIsOpenid;
}

/** Fields holding a WeChat openid: never a member id, left exactly as they are. */
const OPENID_KEYS = new Set(['openid']);

const isPlain = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** Every old id in a value, as whole tokens of its strings, keys included (openid fields skipped). */
export function legacyTokens(value: unknown, out: Set<string> = new Set(), skip: ReadonlySet<string> = OPENID_KEYS): Set<string> {
  if (typeof value === 'string') {
    for (const m of value.matchAll(LEGACY_TOKEN_RE)) out.add(m[0]);
  } else if (Array.isArray(value)) {
    for (const x of value) legacyTokens(x, out);
  } else if (isPlain(value)) {
    for (const [k, x] of Object.entries(value)) {
      if (skip.has(k)) continue;
      legacyTokens(k, out);
      legacyTokens(x, out);
    }
  }
  return out;
}

/** The old ids a stored document of `coll` holds. */
export function docTokens(coll: string, doc: Record<string, unknown>, out: Set<string> = new Set()): Set<string> {
  return legacyTokens(doc, out, keepsId(coll) ? new Set([...OPENID_KEYS, '_id']) : OPENID_KEYS);
}

export function rewriteString(text: string, map: ReadonlyMap<string, string>): string {
  return text.replace(LEGACY_TOKEN_RE, (old) => map.get(old) ?? old);
}

/**
 * The value with every mapped old id replaced, keys included; openid fields, dates and other
 * objects kept as they are.
 */
export function rewriteValue<T>(value: T, map: ReadonlyMap<string, string>, skip: ReadonlySet<string> = OPENID_KEYS): T {
  if (typeof value === 'string') return rewriteString(value, map) as T;
  if (Array.isArray(value)) return value.map((x) => rewriteValue(x, map)) as T;
  if (isPlain(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(value)) {
      if (skip.has(k)) out[k] = x;
      else out[rewriteString(k, map)] = rewriteValue(x, map);
    }
    return out as T;
  }
  return value;
}

export interface DocRewrite {
  /** the document under its new `_id`, every reference rewritten */
  doc: Record<string, unknown> & { _id: string };
  /** true when the `_id` itself changes: insert under the new one, then remove the old */
  moved: boolean;
  /** top-level fields whose value changes (for an in-place update when the `_id` stays) */
  changed: string[];
}

/** How one document of `coll` is rewritten; null when it holds no mapped old id. */
export function planDocRewrite(coll: string, doc: Record<string, unknown> & { _id: string }, map: ReadonlyMap<string, string>): DocRewrite | null {
  const next = rewriteValue(doc, map, keepsId(coll) ? new Set([...OPENID_KEYS, '_id']) : OPENID_KEYS);
  const moved = next._id !== doc._id;
  const changed = Object.keys(next).filter((k) => k !== '_id' && !sameValue(next[k], doc[k]));
  // a renamed key shows up as a new key; the old key is then gone
  const removed = Object.keys(doc).filter((k) => !(k in next));
  if (!moved && changed.length === 0 && removed.length === 0) return null;
  return { doc: next, moved, changed: [...changed, ...removed] };
}

/** Deep equality of stored values: dates by time, plain objects by keys regardless of order. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (isPlain(a) && isPlain(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameValue(a[k], b[k]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

/** The stored progress of the migration (`org_migrations/member-ids`). */
export interface MigrationState {
  _id: string;
  phase: MemberIdMigrationPhase;
  /** refs and sweep: the collection being walked */
  coll: string | null;
  /** the last `_id` fully handled in the current walk */
  after: string | null;
  /** bumped on every save, so two overlapping calls never move the state backwards */
  rev: number;
  totals: { mapped: number; rewritten: number; moved: number; members: number };
  conflicts: Array<{ collection: string; id: string; newId: string }>;
  startedAt: Date | string;
  updatedAt: Date | string;
  finishedAt: Date | string | null;
}

export const MAX_CONFLICTS_KEPT = 100;

export function initialState(now: Date): MigrationState {
  return {
    _id: MIGRATION_ID,
    phase: 'map',
    coll: null,
    after: null,
    rev: 0,
    totals: { mapped: 0, rewritten: 0, moved: 0, members: 0 },
    conflicts: [],
    startedAt: now,
    updatedAt: now,
    finishedAt: null,
  };
}

/**
 * Where the migration goes once the current walk has nothing after `after`: the next collection of
 * the same phase, or the next phase.
 */
export function nextStep(state: Pick<MigrationState, 'phase' | 'coll'>, collections: readonly string[]): Pick<MigrationState, 'phase' | 'coll' | 'after'> {
  const first = collections[0] ?? null;
  switch (state.phase) {
    case 'map':
      return first ? { phase: 'refs', coll: first, after: null } : { phase: 'members', coll: null, after: null };
    case 'refs':
    case 'sweep': {
      const i = state.coll ? collections.indexOf(state.coll) : -1;
      const next = collections[i + 1];
      if (next) return { phase: state.phase, coll: next, after: null };
      return state.phase === 'refs' ? { phase: 'members', coll: null, after: null } : { phase: 'done', coll: null, after: null };
    }
    case 'members':
      return first ? { phase: 'sweep', coll: first, after: null } : { phase: 'done', coll: null, after: null };
    default:
      return { phase: 'done', coll: null, after: null };
  }
}

/** Adds a conflict once (the sweep meets it again), keeping the list bounded. */
export function withConflict(list: MigrationState['conflicts'], c: MigrationState['conflicts'][number]): MigrationState['conflicts'] {
  if (list.some((x) => x.collection === c.collection && x.id === c.id)) return list;
  return list.length >= MAX_CONFLICTS_KEPT ? list : [...list, c];
}

const PHASE_TEXT: Record<MemberIdMigrationPhase, string> = {
  map: '正在为旧编号分配新编号',
  refs: '正在改写各集合中的党员编号',
  members: '正在迁移党员记录',
  sweep: '正在复查迁移期间新写入的记录',
  done: '党员编号迁移已完成',
};

export function progressMessage(state: Pick<MigrationState, 'phase' | 'coll' | 'conflicts'>): string {
  const where = state.coll ? `（${state.coll}）` : '';
  const conflicts = state.conflicts.length ? `；${state.conflicts.length} 条记录因新编号下已有不同数据而保留原样，需人工核对` : '';
  const next = state.phase === 'done' ? '' : '，请再次调用直到完成';
  return `${PHASE_TEXT[state.phase]}${where}${conflicts}${next}`;
}
