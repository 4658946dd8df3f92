/**
 * The database side of `org.migrateMemberIds` (docs/member-ids.md): one bounded step of rewriting
 * old phone-derived member ids. What to rewrite and how comes from core/org/member-id-migration.ts.
 *
 * Every write here is idempotent, and the stored cursor only moves past documents that are fully
 * handled, so a call killed at any point is finished by the next one; a call overlapping another
 * may redo some work but never moves the stored progress backwards (the state's `rev`).
 */
import { DB_SCHEMA } from '../../core/db-schema';
import { getDoc, isDuplicateKey, stripId, type Db } from '../../core/fn/db';
import type { MemberIdMigrationProgress } from '../../core/org/contracts';
import { newMemberId } from '../../core/org/member';
import {
  batchSize,
  initialState,
  LEGACY_MEMBER_ID_RE,
  docTokens,
  MAP_COLLECTION,
  MEMBERS_COLLECTION,
  MIGRATION_ID,
  nextStep,
  planDocRewrite,
  progressMessage,
  sameValue,
  scanCollections,
  STATE_COLLECTION,
  withConflict,
  type DocRewrite,
  type MigrationState,
} from '../../core/org/member-id-migration';

export interface MigrationCtx {
  db: Db;
  now: Date;
  randomBytes: (size: number) => Uint8Array;
  /** milliseconds, for the time budget */
  clock: () => number;
  /** stop starting new work after this long (the function's timeout is 10 s) */
  budgetMs: number;
}

type Doc = Record<string, unknown> & { _id: string };

/** Member moves and in-place updates sent side by side. */
const PARALLEL = 8;
/** Documents moved to their new `_id` with one insert and one remove. */
const SLICE = 100;
/** Ids per `_.in` lookup of the map. */
const MAP_LOOKUP = 100;

async function loadState(db: Db, now: Date): Promise<MigrationState> {
  const stored = await getDoc<MigrationState>(db, STATE_COLLECTION, MIGRATION_ID);
  if (stored) return stored;
  const fresh = initialState(now);
  try {
    await db.collection(STATE_COLLECTION).add({ data: fresh });
    return fresh;
  } catch (e) {
    if (!isDuplicateKey(e)) throw e;
    return (await getDoc<MigrationState>(db, STATE_COLLECTION, MIGRATION_ID))!;
  }
}

/** Saves the state if nobody else saved since `rev` was read; null when someone did. */
async function saveState(db: Db, prevRev: number, next: MigrationState, now: Date): Promise<MigrationState | null> {
  const _ = db.command;
  const saved: MigrationState = { ...next, rev: prevRev + 1, updatedAt: now, finishedAt: next.phase === 'done' ? now : null };
  const res = await db
    .collection(STATE_COLLECTION)
    .where({ _id: MIGRATION_ID, rev: prevRev })
    .update({
      data: {
        phase: saved.phase,
        coll: saved.coll,
        after: saved.after,
        rev: saved.rev,
        totals: _.set(saved.totals),
        conflicts: _.set(saved.conflicts),
        updatedAt: saved.updatedAt,
        finishedAt: saved.finishedAt,
      },
    });
  return res?.stats?.updated ? saved : null;
}

/**
 * The new id of every old id given, creating the missing ones. The map is written before any
 * document that uses it, so a resumed or repeated run finds the same replacements.
 */
async function resolveMap(ctx: MigrationCtx, olds: string[], source: 'member' | 'reference', state: MigrationState): Promise<Map<string, string>> {
  const { db, now } = ctx;
  const _ = db.command;
  const map = new Map<string, string>();
  for (let i = 0; i < olds.length; i += MAP_LOOKUP) {
    const chunk = olds.slice(i, i + MAP_LOOKUP);
    const res = await db.collection(MAP_COLLECTION).where({ _id: _.in(chunk) }).limit(chunk.length).get();
    for (const d of res.data as Array<{ _id: string; newId: string }>) map.set(d._id, d.newId);
    const fresh = chunk.filter((id) => !map.has(id)).map((id) => ({ _id: id, newId: newMemberId(ctx.randomBytes), source, createdAt: now }));
    if (!fresh.length) continue;
    try {
      await db.collection(MAP_COLLECTION).add({ data: fresh });
      for (const d of fresh) map.set(d._id, d.newId);
      state.totals.mapped += fresh.length;
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      // another call mapped some of them first: theirs stand
      for (const d of fresh) {
        try {
          await db.collection(MAP_COLLECTION).add({ data: d });
          map.set(d._id, d.newId);
          state.totals.mapped++;
        } catch (e2) {
          if (!isDuplicateKey(e2)) throw e2;
          const got = await getDoc<{ newId: string }>(db, MAP_COLLECTION, d._id);
          if (!got) throw e2;
          map.set(d._id, got.newId);
        }
      }
    }
  }
  return map;
}

/** Rewrites one document in place (its `_id` holds no old id). */
async function rewriteInPlace(ctx: MigrationCtx, coll: string, id: string, plan: DocRewrite, state: MigrationState): Promise<void> {
  const _ = ctx.db.command;
  const data: Record<string, unknown> = {};
  for (const k of plan.changed) {
    if (!(k in plan.doc)) data[k] = _.remove();
    else {
      const v = plan.doc[k];
      data[k] = v !== null && typeof v === 'object' && !(v instanceof Date) ? _.set(v) : v;
    }
  }
  const res = await ctx.db.collection(coll).doc(id).update({ data });
  if (res?.stats?.updated) state.totals.rewritten++;
}

/**
 * Documents whose `_id` changes: all written under their new `_id` in one insert, then the old ones
 * removed in one request. If some new ones already exist (a call died between the two, or another
 * call got there first) the insert is refused as a whole and each is checked on its own: the same
 * data means only the old one is left to remove; different data is a conflict, and both stay.
 */
async function moveDocs(ctx: MigrationCtx, coll: string, moving: Array<{ oldId: string; plan: DocRewrite }>, state: MigrationState): Promise<void> {
  const { db } = ctx;
  const _ = db.command;
  let removable = moving;
  try {
    await db.collection(coll).add({ data: moving.map((m) => m.plan.doc) });
  } catch (e) {
    if (!isDuplicateKey(e)) throw e;
    removable = [];
    await Promise.all(
      moving.map(async (m) => {
        const target = await getDoc<Doc>(db, coll, m.plan.doc._id);
        if (!target) await db.collection(coll).doc(m.plan.doc._id).set({ data: stripId(m.plan.doc) });
        else if (!sameValue(stripId(target), stripId(m.plan.doc))) {
          // written under the new id meanwhile (the app ran during the migration): keep both, report it
          state.conflicts = withConflict(state.conflicts, { collection: coll, id: m.oldId, newId: m.plan.doc._id });
          return;
        }
        removable.push(m);
      }),
    );
  }
  if (!removable.length) return;
  const res = await db.collection(coll).where({ _id: _.in(removable.map((m) => m.oldId)) }).remove();
  state.totals.moved += res?.stats?.removed ?? 0;
}

/** Rewrites a batch of a scanned collection, slice by slice until the deadline; returns how many were handled. */
async function rewriteBatch(ctx: MigrationCtx, coll: string, docs: Doc[], map: Map<string, string>, state: MigrationState, deadline: number): Promise<number> {
  let done = 0;
  while (done < docs.length && ctx.clock() < deadline) {
    const slice = docs.slice(done, done + SLICE);
    const moving: Array<{ oldId: string; plan: DocRewrite }> = [];
    const inPlace: Array<{ id: string; plan: DocRewrite }> = [];
    for (const d of slice) {
      const plan = planDocRewrite(coll, d, map);
      if (plan?.moved) moving.push({ oldId: d._id, plan });
      else if (plan) inPlace.push({ id: d._id, plan });
    }
    if (moving.length) await moveDocs(ctx, coll, moving, state);
    for (let i = 0; i < inPlace.length; i += PARALLEL) {
      await Promise.all(inPlace.slice(i, i + PARALLEL).map((x) => rewriteInPlace(ctx, coll, x.id, x.plan, state)));
    }
    done += slice.length;
  }
  return done;
}

/** Moves one member document to its new `_id`, in one transaction. */
async function moveMember(ctx: MigrationCtx, oldId: string, newId: string, state: MigrationState): Promise<void> {
  const { db } = ctx;
  const out = await db.runTransaction(async (tx: Db) => {
    const old = await getDoc<Doc>(tx, MEMBERS_COLLECTION, oldId);
    if (!old) return 'gone' as const;
    const target = await getDoc<Doc>(tx, MEMBERS_COLLECTION, newId);
    const plan = planDocRewrite(MEMBERS_COLLECTION, old, new Map([[oldId, newId]]))!;
    if (target && !sameValue(stripId(target), stripId(plan.doc))) return 'conflict' as const;
    // removed first: the unique phone index must never see the member twice
    await tx.collection(MEMBERS_COLLECTION).doc(oldId).remove();
    if (!target) await tx.collection(MEMBERS_COLLECTION).doc(newId).set({ data: stripId(plan.doc) });
    return 'moved' as const;
  });
  if (out === 'moved') state.totals.members++;
  if (out === 'conflict') state.conflicts = withConflict(state.conflicts, { collection: MEMBERS_COLLECTION, id: oldId, newId });
}

/** Member `_id`s after `after`, in order (the documents themselves are not needed to list them). */
async function memberIdsAfter(db: Db, after: string | null, limit: number): Promise<string[]> {
  const _ = db.command;
  const res = await db
    .collection(MEMBERS_COLLECTION)
    .where({ _id: _.gt(after ?? '') })
    .field({ _id: true })
    .orderBy('_id', 'asc')
    .limit(Math.min(1000, limit))
    .get();
  return (res.data as Array<{ _id: string }>).map((d) => d._id);
}

/** One batch of the current phase; changes `state` in place and returns the documents looked at. */
async function step(ctx: MigrationCtx, state: MigrationState, collections: string[], budgetDocs: number, deadline: number): Promise<number> {
  const { db } = ctx;
  const _ = db.command;
  const advance = () => Object.assign(state, nextStep(state, collections));

  if (state.phase === 'map') {
    const ids = await memberIdsAfter(db, state.after, budgetDocs);
    if (!ids.length) {
      advance();
      return 0;
    }
    await resolveMap(ctx, ids.filter((id) => LEGACY_MEMBER_ID_RE.test(id)), 'member', state);
    state.after = ids[ids.length - 1];
    return ids.length;
  }

  if (state.phase === 'members') {
    const ids = await memberIdsAfter(db, state.after, budgetDocs);
    if (!ids.length) {
      advance();
      return 0;
    }
    const legacy = ids.filter((id) => LEGACY_MEMBER_ID_RE.test(id));
    const map = await resolveMap(ctx, legacy, 'member', state);
    let handled = 0;
    for (let i = 0; i < ids.length && ctx.clock() < deadline; ) {
      // up to PARALLEL old-style members, with the new-style ids between them, in one go
      let j = i;
      const olds: string[] = [];
      while (j < ids.length && olds.length < PARALLEL) {
        if (LEGACY_MEMBER_ID_RE.test(ids[j])) olds.push(ids[j]);
        j++;
      }
      await Promise.all(olds.map((old) => moveMember(ctx, old, map.get(old)!, state)));
      state.after = ids[j - 1];
      handled += j - i;
      i = j;
    }
    return handled;
  }

  if (state.phase === 'refs' || state.phase === 'sweep') {
    const coll = state.coll!;
    const res = await db
      .collection(coll)
      .where({ _id: _.gt(state.after ?? '') })
      .orderBy('_id', 'asc')
      .limit(Math.min(batchSize(coll), budgetDocs))
      .get();
    const docs = res.data as Doc[];
    if (!docs.length) {
      advance();
      return 0;
    }
    const tokens = new Set<string>();
    for (const d of docs) docTokens(coll, d, tokens);
    const map = tokens.size ? await resolveMap(ctx, [...tokens], 'reference', state) : new Map<string, string>();
    const handled = tokens.size ? await rewriteBatch(ctx, coll, docs, map, state, deadline) : docs.length;
    if (handled > 0) state.after = docs[handled - 1]._id;
    return handled;
  }
  return 0;
}

function progress(state: MigrationState, scanned: number): MemberIdMigrationProgress {
  return {
    done: state.phase === 'done',
    phase: state.phase,
    collection: state.coll,
    scanned,
    totals: { ...state.totals },
    conflicts: state.conflicts.map((c) => ({ collection: c.collection, newId: c.newId })),
    message: progressMessage(state),
  };
}

/** One call's worth of the migration: as many batches as fit in `limit` documents and the time budget. */
export async function migrateMemberIdsStep(ctx: MigrationCtx, limit: number): Promise<MemberIdMigrationProgress> {
  const collections = scanCollections(DB_SCHEMA);
  let state = await loadState(ctx.db, ctx.now);
  const deadline = ctx.clock() + ctx.budgetMs;
  let scanned = 0;
  while (state.phase !== 'done' && scanned < limit && ctx.clock() < deadline) {
    const work: MigrationState = { ...state, totals: { ...state.totals }, conflicts: [...state.conflicts] };
    const before = { phase: state.phase, coll: state.coll, after: state.after };
    scanned += await step(ctx, work, collections, limit - scanned, deadline);
    if (work.phase === before.phase && work.coll === before.coll && work.after === before.after) break;
    const saved = await saveState(ctx.db, state.rev, work, ctx.now);
    if (!saved) {
      // another call saved first: its progress stands, ours is redone by whoever goes next
      state = (await getDoc<MigrationState>(ctx.db, STATE_COLLECTION, MIGRATION_ID)) ?? state;
      break;
    }
    state = saved;
  }
  return progress(state, scanned);
}
