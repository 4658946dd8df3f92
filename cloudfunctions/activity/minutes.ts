/**
 * 会议记录 and the 主题党日 7+1 checklist: database and storage work only; the rules are in
 * core/activity/{minutes,checklist,cadence}.ts.
 *
 * Photos: the app uploads each (compressed) into the caller's own folder and calls `checkUpload`,
 * which reads the file back, refuses (and deletes) one that is too big or not an image, and records
 * it in `activity_uploads`. `saveMinutes` names only recorded uploads of the caller, so it needs no
 * storage call. A page that failed to save keeps its uploads and sends them again; uploads never named
 * by a saved record are deleted by the `cleanUploads` job a day later.
 *
 * The first save of an activity's minutes counts the meeting for the branch's cadence in the same
 * transaction (core/activity/cadence.ts `countMeeting`): the record's deterministic id makes a retry
 * a change of the same record, never a second count.
 */
import { AppError } from '../../core/fn/errors';
import { actionsFor, type ActionTable, type CallerMember } from '../../core/fn/router';
import type { TimerJob } from '../../core/fn/serve';
import { getDoc, isDuplicateKey, stripId, type Db } from '../../core/fn/db';
import { isOrganiserOver, isSecretaryOf } from '../../core/org/scope';
import { activityInputs, type ActivityOutputs } from '../../core/activity/contracts';
import { cloudPathOf } from '../../core/sheet/upload-path';
import {
  MAX_ATTACHMENTS,
  MAX_THUMB_BYTES,
  ORPHAN_AFTER_MS,
  assertMinutesOpen,
  bodyOf,
  checkUploadBytes,
  editReason,
  editWindowEnd,
  isOwnUpload,
  sameBody,
  uploadDir,
  uploadId,
  versionOf,
  type MinutesBody,
  type MinutesView,
  type StoredMinutes,
  type StoredMinutesVersion,
  type StoredUpload,
  type UploadKind,
} from '../../core/activity/minutes';
import { countMeeting, monthOf, newCounter, counterId, type StoredCadenceCounter } from '../../core/activity/cadence';
import {
  effectiveChecklist,
  itemsFromLabels,
  newChecklist,
  tick,
  toChecklistView,
  type ChecklistSetting,
  type StoredChecklist,
} from '../../core/activity/checklist';
import type { ActivityCtx } from './context';
import type { StoredActivity } from './store';

export const MC = {
  items: 'activity_items',
  minutes: 'activity_minutes',
  versions: 'activity_minutes_versions',
  uploads: 'activity_uploads',
  checklists: 'activity_checklists',
  cadence: 'activity_cadence',
  orgRules: 'activity_org_rules',
  members: 'org_members',
  nodes: 'org_nodes',
} as const;

/** Storage calls of wx-server-sdk that core/fn/serve.ts's CloudSdk does not list. */
type Storage = {
  downloadFile(o: { fileID: string }): Promise<{ fileContent: Buffer }>;
  deleteFile(o: { fileList: string[] }): Promise<{ fileList: { fileID: string; status: number }[] }>;
  getTempFileURL(o: { fileList: string[] }): Promise<{ fileList: { fileID: string; tempFileURL: string }[] }>;
};
const storage = (ctx: ActivityCtx) => ctx.cloud as unknown as Storage;

/** The org settings (cadence, checklist) of a node and its ancestors: one read. */
export type StoredOrgRules = {
  _id: string;
  path: string[];
  cadence?: Partial<Record<string, number>>;
  checklist?: ChecklistSetting | null;
  updatedAt: Date | string;
  updatedBy: string;
};

const { action } = actionsFor<ActivityCtx>();
const NOT_FOUND = '活动不存在或已被删除';
const iso = (d: Date | string) => new Date(d).toISOString();

const isHost = (caller: CallerMember | null, a: StoredActivity) => isSecretaryOf(caller, a.hostBranchId);

async function loadActivity(db: Db, id: string): Promise<StoredActivity> {
  const a = await getDoc<StoredActivity>(db, MC.items, id);
  if (!a) throw new AppError('NOT_FOUND', NOT_FOUND);
  return a;
}

/** The host secretary writes; anyone else is told plainly (another branch's activity is one it does not have). */
function assertHost(me: CallerMember, a: StoredActivity): void {
  if (isHost(me, a)) return;
  if (me.role === 'secretary' && a.branchIds.includes(me.branchId ?? '')) {
    throw new AppError('PERMISSION_DENIED', '会议记录由发起支部的书记填写');
  }
  throw new AppError('PERMISSION_DENIED', '只能为本支部的活动填写会议记录');
}

async function tempUrls(ctx: ActivityCtx, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const res = await storage(ctx).getTempFileURL({ fileList: ids });
  return new Map(res.fileList.map((f) => [f.fileID, f.tempFileURL]));
}

async function minutesView(ctx: ActivityCtx, m: StoredMinutes): Promise<MinutesView> {
  const urls = await tempUrls(ctx, [...m.photos.map((p) => p.fileID), ...m.attachments.map((x) => x.fileID)]);
  return {
    activityId: m.activityId,
    version: m.version,
    hostName: m.hostName,
    recorderName: m.recorderName,
    topics: m.topics,
    resolutions: m.resolutions,
    photos: m.photos.map((p) => ({ fileID: p.fileID, url: urls.get(p.fileID) ?? '' })),
    attachments: m.attachments.map((x) => ({ ...x, url: urls.get(x.fileID) ?? '' })),
    checklist: m.checklist,
    updatedAt: iso(m.updatedAt),
    updatedByName: m.updatedByName,
  };
}

/** The checklist settings along a path (root first). */
async function orgRulesAlong(db: Db, path: readonly string[]): Promise<StoredOrgRules[]> {
  const _ = db.command;
  const res = await db.collection(MC.orgRules).where({ _id: _.in([...path]) }).limit(path.length || 1).get();
  const byId = new Map((res.data as StoredOrgRules[]).map((r) => [r._id, r]));
  return path.flatMap((p) => (byId.has(p) ? [byId.get(p)!] : []));
}

/**
 * A 主题党日's checklist, made from the settings above the branch the first time it is needed (and
 * stored then, unless `store` is false: the list as it would be, nothing ticked).
 */
async function checklistOf(db: Db, a: StoredActivity, now: Date, store = true): Promise<StoredChecklist> {
  const stored = await getDoc<StoredChecklist>(db, MC.checklists, a._id);
  if (stored) return stored;
  const rules = await orgRulesAlong(db, a.hostPath);
  const doc = newChecklist(a._id, a.hostBranchId, effectiveChecklist(rules.map((r) => r.checklist), monthOf(a.startAt)), now);
  if (!store) return doc;
  try {
    await db.collection(MC.checklists).add({ data: doc });
  } catch (e) {
    if (!isDuplicateKey(e)) throw e;
    return (await getDoc<StoredChecklist>(db, MC.checklists, a._id)) ?? doc;
  }
  return doc;
}

export const minutesActions: ActionTable<ActivityCtx> = {
  checkUpload: action({
    allow: ['secretary'],
    input: activityInputs.checkUpload,
    ops: { count: '4', what: 'caller, activity, upload record, insert; + storage: the file and its thumbnail read (a refused file deleted)' },
    handler: async (input, ctx): Promise<ActivityOutputs['checkUpload']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const kind = input.kind as UploadKind;
      const own = (f: string) => isOwnUpload(f, kind, ctx.caller.openid);
      if (!own(input.fileID) || (input.thumbFileID && (kind !== 'photo' || !own(input.thumbFileID)))) {
        throw new AppError('PERMISSION_DENIED', '只能使用您本人刚上传的文件，请重新选择');
      }
      const a = await loadActivity(db, input.id);
      assertHost(me, a);
      const known = await getDoc<StoredUpload>(db, MC.uploads, uploadId(input.fileID));
      if (known) return { fileID: known.fileID, kind: known.kind, bytes: known.bytes, image: known.image, thumb: known.thumb };
      const sent = [input.fileID, ...(input.thumbFileID ? [input.thumbFileID] : [])];
      let files: Buffer[];
      try {
        files = await Promise.all(sent.map(async (f) => (await storage(ctx).downloadFile({ fileID: f })).fileContent));
      } catch (e) {
        // a file that is not there is the person's to fix; any other failure is ours (retried as it is)
        if (/NONEXIST|not exist|NoSuchKey|404/i.test(String((e as { message?: string; errMsg?: string })?.errMsg ?? (e as Error)?.message ?? e))) {
          throw new AppError('NOT_FOUND', '没有找到刚上传的文件，请重新上传');
        }
        throw e;
      }
      const bytes = files[0];
      let image;
      try {
        image = checkUploadBytes(kind, bytes, cloudPathOf(input.fileID) ?? '').image;
        if (files[1] && (!checkUploadBytes('photo', files[1]).image || files[1].length > MAX_THUMB_BYTES)) {
          throw new AppError('INVALID_ARGUMENT', '照片缩略图无效，请重新上传这张照片');
        }
      } catch (e) {
        // a refused file is never kept: nothing names it and nothing would clean it
        await storage(ctx)
          .deleteFile({ fileList: sent })
          .catch((err: unknown) => console.error('[activity] refused upload not deleted', err));
        throw e;
      }
      const doc: StoredUpload = {
        _id: uploadId(input.fileID),
        fileID: input.fileID,
        kind,
        openid: ctx.caller.openid,
        activityId: a._id,
        bytes: bytes.length,
        image,
        name: input.name || (input.fileID.split('/').pop() ?? ''),
        thumb: input.thumbFileID ?? null,
        usedBy: null,
        createdAt: now,
      };
      await db.collection(MC.uploads).doc(doc._id).set({ data: stripId(doc) });
      return { fileID: doc.fileID, kind, bytes: doc.bytes, image, thumb: doc.thumb };
    },
  }),

  saveMinutes: action({
    allow: ['secretary'],
    input: activityInputs.saveMinutes,
    ops: {
      count: '8–13 + u',
      what:
        'caller, activity, members (主持人/记录人), uploads, [checklist], tx (start, record, [counter], [kept version], record, [counter], each upload named for the first time (u), commit); + photo links',
    },
    handler: async (input, ctx): Promise<ActivityOutputs['saveMinutes']> => {
      const { db, now } = ctx;
      const _ = db.command;
      const me = ctx.caller.member;
      const a = await loadActivity(db, input.id);
      assertHost(me, a);
      assertMinutesOpen(a, now);
      const fileIDs = [...input.photos, ...input.attachments];
      const people = [...new Set([input.hostId, input.recorderId])];
      const [members, uploads] = await Promise.all([
        db.collection(MC.members).where({ _id: _.in(people), branchId: a.hostBranchId, status: 'active' }).field({ _id: true, name: true }).limit(2).get(),
        db.collection(MC.uploads).where({ _id: _.in(fileIDs.map(uploadId)) }).limit(fileIDs.length).get(),
      ]);
      const nameOf = new Map((members.data as { _id: string; name: string }[]).map((m) => [m._id, m.name]));
      if (!nameOf.has(input.hostId)) throw new AppError('INVALID_ARGUMENT', '主持人须是本支部的党员，请重新选择');
      if (!nameOf.has(input.recorderId)) throw new AppError('INVALID_ARGUMENT', '记录人须是本支部的党员，请重新选择');
      const upBy = new Map((uploads.data as StoredUpload[]).map((u) => [u.fileID, u]));
      const photos = input.photos.map((f) => {
        const u = upBy.get(f);
        // a photo already in the record (uploaded by an earlier secretary) stays valid
        if (!u || u.kind !== 'photo' || (u.openid !== ctx.caller.openid && u.usedBy !== a._id)) {
          throw new AppError('INVALID_ARGUMENT', '有照片没有上传成功或不是您上传的，请删除后重新上传');
        }
        return { fileID: f, bytes: u.bytes, thumb: u.thumb ?? null };
      });
      if (input.attachments.length > MAX_ATTACHMENTS) throw new AppError('INVALID_ARGUMENT', `附件最多 ${MAX_ATTACHMENTS} 个`);
      const attachments = input.attachments.map((f) => {
        const u = upBy.get(f);
        if (!u || u.kind !== 'file' || (u.openid !== ctx.caller.openid && u.usedBy !== a._id)) {
          throw new AppError('INVALID_ARGUMENT', '有附件没有上传成功或不是您上传的，请删除后重新上传');
        }
        return { fileID: f, name: u.name, bytes: u.bytes };
      });
      // the 7+1 as ticked so far; read, never made here (the only writes are the transaction's)
      const checklist = a.type === 'theme_day' ? (await checklistOf(db, a, now, false)).items.map((i) => ({ key: i.key, label: i.label, done: i.done })) : null;
      const body: MinutesBody = {
        hostId: input.hostId,
        hostName: nameOf.get(input.hostId)!,
        recorderId: input.recorderId,
        recorderName: nameOf.get(input.recorderId)!,
        topics: input.topics,
        resolutions: input.resolutions,
        photos,
        attachments,
        checklist,
      };
      const by = { id: me._id, name: me.name };
      const month = monthOf(a.startAt);

      // the uploads the record names are kept from then on, in the same transaction as the record
      const unmarked = (uploads.data as StoredUpload[]).filter((u) => u.usedBy !== a._id).map((u) => u._id);
      const markUsed = async (tx: Db) => {
        for (const uid of unmarked) await tx.collection(MC.uploads).doc(uid).update({ data: { usedBy: a._id } });
      };
      const out = await db.runTransaction(async (tx: Db) => {
        const cur = await getDoc<StoredMinutes>(tx, MC.minutes, a._id);
        if (cur) {
          if (sameBody(bodyOf(cur), body)) return { doc: cur, created: false, changed: false };
          const reason = editReason(a.endAt, now, input.reason, false);
          const kept: StoredMinutesVersion = versionOf(cur, by, reason, now);
          await tx.collection(MC.versions).doc(kept._id).set({ data: stripId(kept) });
          const next: StoredMinutes = { ...cur, ...body, version: cur.version + 1, updatedAt: now, updatedBy: me._id, updatedByName: me.name };
          await tx.collection(MC.minutes).doc(a._id).set({ data: stripId(next) });
          await markUsed(tx);
          return { doc: next, created: false, changed: true };
        }
        const doc: StoredMinutes = {
          _id: a._id,
          activityId: a._id,
          branchId: a.hostBranchId,
          path: a.hostPath,
          type: a.type,
          title: a.title,
          startAt: a.startAt,
          ...body,
          version: 1,
          createdAt: now,
          createdBy: me._id,
          updatedAt: now,
          updatedBy: me._id,
          updatedByName: me.name,
        };
        // the meeting counts for the branch's cadence now, once
        const cid = counterId(a.hostBranchId, month);
        const counter =
          (await getDoc<StoredCadenceCounter>(tx, MC.cadence, cid)) ?? newCounter({ _id: a.hostBranchId, path: a.hostPath.slice(0, -1) }, month, now);
        const { next, changed } = countMeeting(counter, a, now);
        await tx.collection(MC.minutes).doc(a._id).set({ data: stripId(doc) });
        if (changed) await tx.collection(MC.cadence).doc(cid).set({ data: stripId(next) });
        await markUsed(tx);
        return { doc, created: true, changed: true };
      });
      return { ...(await minutesView(ctx, out.doc)), created: out.created, changed: out.changed };
    },
  }),

  minutes: action({
    allow: ['member', 'organiser'],
    input: activityInputs.minutes,
    ops: { count: '3–6', what: 'caller, activity, minutes, [checklist (主题党日)], [members, versions (host secretary)]' },
    handler: async (input, ctx): Promise<ActivityOutputs['minutes']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const a = await loadActivity(db, input.id);
      const host = isHost(me, a);
      const above = isOrganiserOver(me, a.hostPath);
      const taking = !!me.branchId && a.branchIds.includes(me.branchId) && a.status !== 'draft';
      if (!host && !above && !taking) throw new AppError('NOT_FOUND', NOT_FOUND);
      const [m, cl] = await Promise.all([
        getDoc<StoredMinutes>(db, MC.minutes, a._id),
        a.type === 'theme_day' && a.status === 'published'
          ? host
            ? checklistOf(db, a, now)
            : getDoc<StoredChecklist>(db, MC.checklists, a._id)
          : Promise.resolve(null),
      ]);
      let candidates: { id: string; name: string }[] | null = null;
      let versions: ActivityOutputs['minutes']['versions'] = null;
      if (host || above) {
        const [mem, ver] = await Promise.all([
          host
            ? db.collection(MC.members).where({ branchId: a.hostBranchId, status: 'active' }).field({ _id: true, name: true }).orderBy('_id', 'asc').limit(1000).get()
            : Promise.resolve(null),
          m && m.version > 1
            ? db.collection(MC.versions).where({ activityId: a._id }).orderBy('version', 'desc').limit(50).get()
            : Promise.resolve({ data: [] }),
        ]);
        if (mem) candidates = (mem.data as { _id: string; name: string }[]).map((x) => ({ id: x._id, name: x.name }));
        versions = (ver.data as StoredMinutesVersion[]).map((v) => ({ version: v.version, replacedAt: iso(v.replacedAt), replacedByName: v.replacedByName, reason: v.reason }));
      }
      return {
        activityId: a._id,
        minutes: m ? await minutesView(ctx, m) : null,
        canEdit: host && a.status === 'published',
        hostId: host ? (m?.hostId ?? null) : null,
        recorderId: host ? (m?.recorderId ?? null) : null,
        candidates,
        editableUntil: editWindowEnd(a.endAt).toISOString(),
        versions,
        checklist: cl ? toChecklistView(cl) : null,
        photoDir: host ? uploadDir('photo', ctx.caller.openid) : null,
        fileDir: host ? uploadDir('file', ctx.caller.openid) : null,
      };
    },
  }),

  checklist: action({
    allow: ['member', 'organiser'],
    input: activityInputs.checklist,
    ops: { count: '3–5', what: 'caller, activity, checklist, [settings along the path, insert (first read by its secretary)]' },
    handler: async (input, ctx): Promise<ActivityOutputs['checklist']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const a = await loadActivity(db, input.id);
      const host = isHost(me, a);
      const seen = host || isOrganiserOver(me, a.hostPath) || (!!me.branchId && a.branchIds.includes(me.branchId) && a.status !== 'draft');
      if (!seen) throw new AppError('NOT_FOUND', NOT_FOUND);
      if (a.type !== 'theme_day') throw new AppError('FAILED_PRECONDITION', '只有主题党日有“7+1”议程');
      const stored = host ? await checklistOf(db, a, now) : await getDoc<StoredChecklist>(db, MC.checklists, a._id);
      if (stored) return toChecklistView(stored);
      const rules = await orgRulesAlong(db, a.hostPath);
      return toChecklistView(newChecklist(a._id, a.hostBranchId, effectiveChecklist(rules.map((r) => r.checklist), monthOf(a.startAt)), now));
    },
  }),

  tickChecklist: action({
    allow: ['secretary'],
    input: activityInputs.tickChecklist,
    ops: { count: '4–6', what: 'caller, activity, checklist [settings, insert], conditional update' },
    handler: async (input, ctx): Promise<ActivityOutputs['tickChecklist']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const a = await loadActivity(db, input.id);
      assertHost(me, a);
      if (a.type !== 'theme_day') throw new AppError('FAILED_PRECONDITION', '只有主题党日有“7+1”议程');
      if (a.status !== 'published') throw new AppError('FAILED_PRECONDITION', '活动未发布或已取消');
      let cl = await getDoc<StoredChecklist>(db, MC.checklists, a._id);
      if (!cl) {
        // the first tick makes the list with the tick in one write, so a retry finds it done
        const fresh = await checklistOf(db, a, now, false);
        const first = { ...fresh, items: tick(fresh.items, input.key, input.done, me._id, now).items, updatedAt: now };
        try {
          await db.collection(MC.checklists).add({ data: first });
          return toChecklistView(first);
        } catch (e) {
          if (!isDuplicateKey(e)) throw e;
        }
        cl = (await getDoc<StoredChecklist>(db, MC.checklists, a._id)) ?? fresh;
      }
      for (let attempt = 0; attempt < 3; attempt++) {
        const out = tick(cl.items, input.key, input.done, me._id, now);
        if (!out.changed) return toChecklistView(cl);
        // written only over the list read (its time stamp): two phones ticking at once both land
        const res = await db.collection(MC.checklists).where({ _id: a._id, updatedAt: cl.updatedAt }).update({ data: { items: db.command.set(out.items), updatedAt: now } });
        if (res?.stats?.updated) return toChecklistView({ ...cl, items: out.items });
        cl = (await getDoc<StoredChecklist>(db, MC.checklists, a._id)) ?? cl;
      }
      throw new AppError('FAILED_PRECONDITION', '议程刚刚有变化，请刷新后再勾选');
    },
  }),

  setChecklist: action({
    allow: ['organiser'],
    input: activityInputs.setChecklist,
    ops: { count: '4', what: 'caller, node, its settings, upsert' },
    handler: async (input, ctx): Promise<ActivityOutputs['setChecklist']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const node = await loadNodeInScope(db, me, input.nodeId);
      const items = itemsFromLabels(input.items);
      const checklist: ChecklistSetting = { items, themes: input.themes };
      await db.collection(MC.orgRules).doc(node._id).set({ data: { ...(await currentRules(db, node._id)), path: node.path, checklist, updatedAt: now, updatedBy: me._id } });
      return { nodeId: node._id, items, themes: input.themes };
    },
  }),
};

/** An org node the organiser oversees (their scope or below): one read. */
export async function loadNodeInScope(db: Db, me: CallerMember, nodeId: string | undefined): Promise<{ _id: string; name: string; type: string; path: string[] }> {
  const id = nodeId ?? me.scopeId ?? '';
  const node = await getDoc<{ _id: string; name: string; type: string; path?: string[] }>(db, MC.nodes, id);
  if (!node) throw new AppError('NOT_FOUND', '没有找到这个组织');
  const full = [...(node.path ?? []), node._id];
  if (!isOrganiserOver(me, full)) throw new AppError('PERMISSION_DENIED', '这个组织不在您的权限范围内');
  return { _id: node._id, name: node.name, type: node.type, path: node.path ?? [] };
}

/** The node's settings other than the one being set, so setting the checklist keeps the cadence. */
async function currentRules(db: Db, id: string): Promise<Partial<StoredOrgRules>> {
  const cur = await getDoc<StoredOrgRules>(db, MC.orgRules, id);
  if (!cur) return {};
  const { _id, ...rest } = cur;
  void _id;
  return rest;
}
export { currentRules, orgRulesAlong };

/**
 * Timer job: deletes uploads that no saved record names a day after they were checked. An upload
 * whose mark was lost is found in its activity's record and marked instead.
 */
export async function runCleanUploads(ctx: ActivityCtx): Promise<{ deleted: number; kept: number }> {
  const { db, now } = ctx;
  const _ = db.command;
  const res = await db
    .collection(MC.uploads)
    .where({ usedBy: null, createdAt: _.lt(new Date(now.getTime() - ORPHAN_AFTER_MS)) })
    .orderBy('createdAt', 'asc')
    .limit(100)
    .get();
  const list = res.data as StoredUpload[];
  if (!list.length) return { deleted: 0, kept: 0 };
  const actIds = [...new Set(list.map((u) => u.activityId))];
  const [mins, vers] = await Promise.all([
    db.collection(MC.minutes).where({ _id: _.in(actIds) }).field({ _id: true, photos: true, attachments: true }).limit(actIds.length).get(),
    db.collection(MC.versions).where({ activityId: _.in(actIds) }).field({ activityId: true, photos: true, attachments: true }).limit(1000).get(),
  ]);
  const named = new Set<string>();
  for (const m of [...(mins.data as MinutesBody[]), ...(vers.data as MinutesBody[])]) {
    for (const p of m.photos ?? []) named.add(p.fileID);
    for (const x of m.attachments ?? []) named.add(x.fileID);
  }
  const keep = list.filter((u) => named.has(u.fileID));
  const drop = list.filter((u) => !named.has(u.fileID));
  if (keep.length) {
    for (const act of new Set(keep.map((u) => u.activityId))) {
      await db.collection(MC.uploads).where({ _id: _.in(keep.filter((u) => u.activityId === act).map((u) => u._id)) }).update({ data: { usedBy: act } });
    }
  }
  if (drop.length) {
    // the files first: a record without its file would be tried again, a file without its record never
    await storage(ctx).deleteFile({ fileList: drop.flatMap((u) => (u.thumb ? [u.fileID, u.thumb] : [u.fileID])) });
    await db.collection(MC.uploads).where({ _id: _.in(drop.map((u) => u._id)) }).remove();
  }
  return { deleted: drop.length, kept: keep.length };
}

export const minutesJobs: Record<string, TimerJob<ActivityCtx>> = {
  cleanUploads: { run: runCleanUploads, everyMinutes: 60, ops: { count: '≤ 5', what: 'deletes photos and attachments no saved minutes name a day after upload' } },
};
