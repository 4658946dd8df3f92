/**
 * 会议记录 (minutes) of an activity: who chaired and who recorded, 议题/会议内容, 决议, 2–9 现场照片
 * and optional attachments. One record per activity (`activity_minutes`, `_id` = activity id), every
 * earlier version kept (`activity_minutes_versions`). Editable freely for 7 days after the activity;
 * after that each change needs a reason. Photos are uploaded by the app into the caller's own folder
 * and checked by the function (owner, size, real image) before a record may name them. Pure: no SDK.
 */
import { z } from 'zod';
import '../fn/zod-messages';
import { AppError } from '../fn/errors';
import { formatChina } from '../day';
import { cloudPathOf } from '../sheet/upload-path';
import type { ActivityType } from './rules';
import type { ChecklistView } from './checklist';

export const MIN_PHOTOS = 2;
export const MAX_PHOTOS = 9;
/** a phone photo compressed on the device is 100–600 KB; 2 MB leaves room and refuses originals */
export const MAX_PHOTO_BYTES = 2 * 1024 * 1024;
/** the phone's thumbnail of a photo (about 160 px wide), embedded in the 台账 */
export const MAX_THUMB_BYTES = 64 * 1024;
export const MAX_ATTACHMENTS = 5;
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MIN_TEXT = 5;
export const MAX_TEXT = 5000;
/** the record may be changed without a reason this long after the activity ends */
export const EDIT_WINDOW_DAYS = 7;
/** uploads never named by a saved record are removed after this long */
export const ORPHAN_AFTER_MS = 24 * 3600_000;

export type UploadKind = 'photo' | 'file';
const FOLDER: Record<UploadKind, string> = { photo: 'activity-photos', file: 'activity-files' };
const SAFE = /[^A-Za-z0-9._-]/g;

/** The caller's own upload folder (the emulator lets a browser write only into its openid's folder). */
export const uploadDir = (kind: UploadKind, openid: string) => `${FOLDER[kind]}/${openid.replace(SAFE, '_')}/`;

/** Is this fileID an upload of `openid` into its own folder of `kind` (no sub-folders, no `..`)? */
export function isOwnUpload(fileID: string, kind: UploadKind, openid: string): boolean {
  const p = cloudPathOf(fileID);
  if (!p || p.includes('..') || p.includes('//')) return false;
  const dir = uploadDir(kind, openid);
  return p.startsWith(dir) && p.length > dir.length && !p.slice(dir.length).includes('/');
}

export type ImageType = 'jpeg' | 'png' | 'webp' | 'gif';

/** What the bytes are (magic numbers), whatever the name says. */
export function sniffImage(b: Uint8Array): ImageType | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'png';
  if (b.length >= 12 && String.fromCharCode(...b.slice(0, 4)) === 'RIFF' && String.fromCharCode(...b.slice(8, 12)) === 'WEBP') return 'webp';
  if (b.length >= 6 && String.fromCharCode(...b.slice(0, 3)) === 'GIF') return 'gif';
  return null;
}

const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;

/** 会议材料 as WeChat's document viewer opens them (wx.openDocument's file types). */
export const ATTACHMENT_TYPES = ['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];
export const ATTACHMENT_TYPE_MESSAGE = '附件只能是 PDF、Word、Excel 或 PPT 文件';

/** The document type a file name (or cloud path) ends in, or null for any other. */
export function attachmentType(name: string): AttachmentType | null {
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(name)?.[1]?.toLowerCase() ?? '';
  return (ATTACHMENT_TYPES as readonly string[]).includes(ext) ? (ext as AttachmentType) : null;
}

/** What a document's bytes are: PDF, a zip (docx, xlsx, pptx) or an OLE file (doc, xls, ppt). */
function documentFamily(b: Uint8Array): 'pdf' | 'zip' | 'ole' | null {
  if (b.length >= 5 && String.fromCharCode(...b.slice(0, 5)) === '%PDF-') return 'pdf';
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) return 'zip';
  if (b.length >= 8 && [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1].every((x, i) => b[i] === x)) return 'ole';
  return null;
}

const FAMILY: Record<AttachmentType, 'pdf' | 'zip' | 'ole'> = { pdf: 'pdf', docx: 'zip', xlsx: 'zip', pptx: 'zip', doc: 'ole', xls: 'ole', ppt: 'ole' };

/**
 * The refusal for an uploaded file, or its image type (photos) / null (attachments) when acceptable.
 * An attachment's `path` (its cloud path, named after the picked file) must end in a document type
 * whose bytes it really has.
 */
export function checkUploadBytes(kind: UploadKind, bytes: Uint8Array, path = ''): { image: ImageType | null } {
  if (!bytes.length) throw new AppError('INVALID_ARGUMENT', '文件是空的，请重新选择');
  if (kind === 'photo') {
    const image = sniffImage(bytes);
    if (!image) throw new AppError('INVALID_ARGUMENT', '这不是一张图片，请选择 JPG 或 PNG 格式的现场照片');
    if (bytes.length > MAX_PHOTO_BYTES) {
      throw new AppError('INVALID_ARGUMENT', `照片太大（${mb(bytes.length)}），每张不能超过 ${mb(MAX_PHOTO_BYTES)}，请压缩后重新上传`);
    }
    return { image };
  }
  const type = attachmentType(path);
  if (!type || documentFamily(bytes) !== FAMILY[type]) throw new AppError('INVALID_ARGUMENT', `${ATTACHMENT_TYPE_MESSAGE}，请重新选择`);
  if (bytes.length > MAX_ATTACHMENT_BYTES) throw new AppError('INVALID_ARGUMENT', `附件太大（${mb(bytes.length)}），每个不能超过 ${mb(MAX_ATTACHMENT_BYTES)}`);
  return { image: null };
}

/** A checked upload (`activity_uploads`, `_id` = uploadId(fileID)): the record a save may name. */
export type StoredUpload = {
  _id: string;
  fileID: string;
  kind: UploadKind;
  openid: string;
  activityId: string;
  bytes: number;
  image: ImageType | null;
  name: string;
  /** a photo's small copy made on the phone (same folder), for the 台账; null when none was sent */
  thumb: string | null;
  /** the activity whose saved minutes name it; null until then (an orphan after ORPHAN_AFTER_MS) */
  usedBy: string | null;
  createdAt: Date | string;
};

/** A short stable id for a fileID (ids are at most 64 characters; fileIDs are longer). */
export function uploadId(fileID: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < fileID.length; i++) {
    const c = fileID.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 16777619);
    h2 = Math.imul(h2 ^ c, 2246822519);
  }
  return `u${(h1 >>> 0).toString(36)}${(h2 >>> 0).toString(36)}${fileID.length.toString(36)}`;
}

export interface MinutesPhoto {
  fileID: string;
  bytes: number;
  thumb?: string | null;
}
export interface MinutesAttachment {
  fileID: string;
  name: string;
  bytes: number;
}

/** The fields a version of the record holds. */
export interface MinutesBody {
  hostId: string;
  hostName: string;
  recorderId: string;
  recorderName: string;
  topics: string;
  resolutions: string;
  photos: MinutesPhoto[];
  attachments: MinutesAttachment[];
  /** 主题党日: the 7+1 items as ticked when the record was saved */
  checklist: { key: string; label: string; done: boolean }[] | null;
}

export type StoredMinutes = MinutesBody & {
  _id: string;
  activityId: string;
  branchId: string;
  /** the host branch's full path: organisers above it may read */
  path: string[];
  type: ActivityType;
  title: string;
  startAt: Date | string;
  version: number;
  createdAt: Date | string;
  createdBy: string;
  updatedAt: Date | string;
  updatedBy: string;
  updatedByName: string;
};

/** An earlier version, kept when it is replaced (`${activityId}:v${version}`). */
export type StoredMinutesVersion = MinutesBody & {
  _id: string;
  activityId: string;
  version: number;
  savedAt: Date | string;
  savedBy: string;
  savedByName: string;
  replacedAt: Date | string;
  replacedBy: string;
  replacedByName: string;
  /** why it was changed (required once the edit window has closed) */
  reason: string | null;
};

export const versionId = (activityId: string, version: number) => `${activityId}:v${version}`;

/** When the free edit window closes: EDIT_WINDOW_DAYS after the activity's end. */
export const editWindowEnd = (endAt: Date | string) => new Date(new Date(endAt).getTime() + EDIT_WINDOW_DAYS * 86_400_000);

/** Minutes are written once the activity has begun (during or after it), never for a draft or a cancelled one. */
export function assertMinutesOpen(a: { status: string; startAt: Date | string }, now: Date): void {
  if (a.status === 'draft') throw new AppError('FAILED_PRECONDITION', '活动尚未发布，不能填写会议记录');
  if (a.status === 'cancelled') throw new AppError('FAILED_PRECONDITION', '活动已取消，不需要会议记录');
  if (now.getTime() < new Date(a.startAt).getTime()) {
    throw new AppError('FAILED_PRECONDITION', `活动还没有开始，${formatChina(a.startAt, 'MM-DD HH:mm')} 开始后才能填写会议记录`);
  }
}

/** A change after the window needs its reason; returns the reason to keep (null inside the window). */
export function editReason(endAt: Date | string, now: Date, reason: string | undefined, isFirst: boolean): string | null {
  const r = reason?.trim() ? reason.trim() : null;
  if (isFirst) return r;
  if (now.getTime() <= editWindowEnd(endAt).getTime()) return r;
  if (!r || r.length < 2) {
    throw new AppError('INVALID_ARGUMENT', `活动结束已超过 ${EDIT_WINDOW_DAYS} 天，修改会议记录须填写修改原因，原记录会保留备查`);
  }
  return r;
}

/** Does a save change anything? The same record sent again (a retry) is not a new version. */
export function sameBody(a: MinutesBody, b: MinutesBody): boolean {
  const pick = (m: MinutesBody) =>
    JSON.stringify([m.hostId, m.recorderId, m.topics, m.resolutions, m.photos.map((p) => p.fileID), m.attachments.map((x) => x.fileID), m.checklist]);
  return pick(a) === pick(b);
}

export const bodyOf = (m: MinutesBody): MinutesBody => ({
  hostId: m.hostId,
  hostName: m.hostName,
  recorderId: m.recorderId,
  recorderName: m.recorderName,
  topics: m.topics,
  resolutions: m.resolutions,
  photos: m.photos,
  attachments: m.attachments,
  checklist: m.checklist,
});

/** The version kept when `cur` is replaced. */
export function versionOf(cur: StoredMinutes, by: { id: string; name: string }, reason: string | null, now: Date): StoredMinutesVersion {
  return {
    _id: versionId(cur.activityId, cur.version),
    activityId: cur.activityId,
    version: cur.version,
    ...bodyOf(cur),
    savedAt: cur.updatedAt,
    savedBy: cur.updatedBy,
    savedByName: cur.updatedByName,
    replacedAt: now,
    replacedBy: by.id,
    replacedByName: by.name,
    reason,
  };
}

// ---------------------------------------------------------------- contracts

const id = z.string({ required_error: '缺少编号' }).trim().min(1, '缺少编号').max(64, '编号过长');
const text = (label: string) =>
  z
    .string({ required_error: `请填写${label}`, invalid_type_error: `${label}格式不对` })
    .trim()
    .min(MIN_TEXT, `${label}至少 ${MIN_TEXT} 个字`)
    .max(MAX_TEXT, `${label}最多 ${MAX_TEXT} 个字`);
const fileID = z.string({ required_error: '缺少文件' }).trim().min(10, '文件编号无效').max(300, '文件编号无效');

export const minutesInputs = {
  /** checks one upload (owner folder, size, a real image for photos) and records it for a save */
  checkUpload: z
    .object({ id, fileID, kind: z.enum(['photo', 'file']), name: z.string().trim().max(80).default(''), thumbFileID: fileID.optional() })
    .strict(),
  /** create or change an activity's minutes (the host secretary) */
  saveMinutes: z
    .object({
      id,
      hostId: z.string({ required_error: '请选择主持人' }).trim().min(1, '请选择主持人').max(64),
      recorderId: z.string({ required_error: '请选择记录人' }).trim().min(1, '请选择记录人').max(64),
      topics: text('会议内容（议题）'),
      resolutions: text('会议决议'),
      photos: z
        .array(fileID, { required_error: `请上传 ${MIN_PHOTOS}–${MAX_PHOTOS} 张现场照片` })
        .min(MIN_PHOTOS, `请至少上传 ${MIN_PHOTOS} 张现场照片`)
        .max(MAX_PHOTOS, `现场照片最多 ${MAX_PHOTOS} 张`)
        .refine((a) => new Set(a).size === a.length, '有重复的照片，请删除后再保存'),
      attachments: z.array(fileID).max(MAX_ATTACHMENTS, `附件最多 ${MAX_ATTACHMENTS} 个`).default([]),
      /** required once the edit window has closed */
      reason: z.string().trim().max(200, '修改原因最多 200 个字').optional(),
    })
    .strict(),
  /** an activity's minutes: members of a taking-part branch see the summary and photos */
  minutes: z.object({ id }).strict(),
};

export interface MinutesView {
  activityId: string;
  version: number;
  hostName: string;
  recorderName: string;
  topics: string;
  resolutions: string;
  photos: { fileID: string; url: string }[];
  attachments: { fileID: string; name: string; bytes: number; url: string }[];
  checklist: { key: string; label: string; done: boolean }[] | null;
  updatedAt: string;
  updatedByName: string;
}

export interface MinutesOutputs {
  checkUpload: { fileID: string; kind: UploadKind; bytes: number; image: ImageType | null; thumb: string | null };
  saveMinutes: MinutesView & { created: boolean; changed: boolean };
  minutes: {
    activityId: string;
    minutes: MinutesView | null;
    /** the host secretary may write (and the fields the editor needs) */
    canEdit: boolean;
    hostId: string | null;
    recorderId: string | null;
    /** the branch's active members (the editor's pickers), for the host secretary only */
    candidates: { id: string; name: string }[] | null;
    /** when a change starts needing a reason */
    editableUntil: string;
    /** earlier versions (host secretary and organisers): who replaced it, when, why */
    versions: { version: number; replacedAt: string; replacedByName: string; reason: string | null }[] | null;
    /** 主题党日: the 7+1 checklist as ticked so far */
    checklist: ChecklistView | null;
    /** the caller's upload folders */
    photoDir: string | null;
    fileDir: string | null;
  };
}
