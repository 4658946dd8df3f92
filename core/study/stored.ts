/**
 * Stored study documents that are built in more than one place (the function, the demo seed, the
 * benches): their shapes, ids and factories. Sessions live in heartbeat.ts, credits and totals in
 * credit.ts.
 */
import { fnv1a64 } from '../org/member';
import type { LessonKind, OfflineView } from './contracts';
import type { SessionDoc } from './heartbeat';

/** study_lessons */
export interface LessonDoc {
  _id: string;
  kind: LessonKind;
  title: string;
  speaker: string;
  durationSec: number;
  cover: string | null;
  mediaUrl: string | null;
  body: string | null;
  orgId: string;
  orgName: string;
  status: 'draft' | 'published';
  publishedAt: Date | null;
  startsAt?: Date | null;
  endsAt?: Date | null;
  streamUrl?: string | null;
  channelsId?: string | null;
  replayUrl?: string | null;
  createdBy: string;
  createdAt: Date;
}

export interface NewLesson {
  kind: LessonKind;
  title: string;
  speaker: string;
  minutes: number;
  orgId: string;
  orgName: string;
  createdBy: string;
  createdAt: Date;
  /** null: a draft */
  publishedAt: Date | null;
  /** a live lesson's start; it ends `minutes` later */
  startsAt?: Date | null;
  cover?: string | null;
  mediaUrl?: string | null;
  body?: string | null;
  streamUrl?: string | null;
  channelsId?: string | null;
  replayUrl?: string | null;
}

/** The same lesson (org, kind, title, start) created twice is one document. */
export function lessonId(l: Pick<NewLesson, 'orgId' | 'kind' | 'title' | 'startsAt'>): string {
  return `l_${fnv1a64(`${l.orgId}|${l.kind}|${l.title}|${l.startsAt?.toISOString() ?? ''}`)}`;
}

export function newLessonDoc(l: NewLesson): Omit<LessonDoc, '_id'> {
  const startsAt = l.startsAt ?? null;
  return {
    kind: l.kind,
    title: l.title,
    speaker: l.speaker,
    durationSec: l.minutes * 60,
    cover: l.cover || null,
    mediaUrl: l.mediaUrl || null,
    body: l.body ?? null,
    orgId: l.orgId,
    orgName: l.orgName,
    status: l.publishedAt ? 'published' : 'draft',
    publishedAt: l.publishedAt,
    startsAt,
    endsAt: startsAt ? new Date(startsAt.getTime() + l.minutes * 60_000) : null,
    streamUrl: l.streamUrl || null,
    channelsId: l.channelsId || null,
    replayUrl: l.replayUrl || null,
    createdBy: l.createdBy,
    createdAt: l.createdAt,
  };
}

/** study_progress: one member's progress in one lesson */
export interface ProgressDoc {
  _id: string;
  memberId: string;
  lessonId: string;
  creditedSec: number;
  position: number;
  completed: boolean;
  completedAt: Date | null;
  updatedAt: Date;
}

export const progressId = (memberId: string, lessonId: string) => `${memberId}:${lessonId}`;
export const reminderId = (lessonId: string, memberId: string) => `${lessonId}:${memberId}`;

/** The lesson's progress once a session's flush of `addedSec` is written. */
export function progressAfterFlush(
  p: ProgressDoc | null,
  s: Pick<SessionDoc, 'memberId' | 'lessonId' | 'position' | 'completed'>,
  addedSec: number,
  now: Date,
): Omit<ProgressDoc, '_id'> {
  return {
    memberId: s.memberId,
    lessonId: s.lessonId,
    creditedSec: Math.round(((p?.creditedSec ?? 0) + addedSec) * 1000) / 1000,
    position: s.position,
    completed: !!p?.completed || s.completed,
    completedAt: p?.completedAt ?? (s.completed ? now : null),
    updatedAt: now,
  };
}

/** study_offline: one offline study event a secretary recorded (集中培训, 送学上门 …) */
export interface OfflineRecordDoc {
  _id: string;
  branchId: string;
  year: number;
  kind: string;
  date: string;
  topic: string;
  hours: number;
  place: string;
  deliveredBy: string;
  memberIds: string[];
  memberNames?: string[];
  recordedBy: string;
  recordedByName?: string;
  createdAt: Date;
}

export const offlineRecordId = (branchId: string, requestId: string) => `${branchId}:${requestId}`;

export function newOfflineRecord(
  r: Pick<OfflineRecordDoc, 'branchId' | 'kind' | 'date' | 'topic' | 'hours' | 'place' | 'deliveredBy' | 'recordedBy' | 'recordedByName' | 'createdAt'>,
  members: ReadonlyArray<{ _id: string; name: string }>,
): Omit<OfflineRecordDoc, '_id'> {
  return {
    branchId: r.branchId,
    year: Number(r.date.slice(0, 4)),
    kind: r.kind,
    date: r.date,
    topic: r.topic,
    hours: r.hours,
    place: r.place,
    deliveredBy: r.deliveredBy,
    memberIds: members.map((m) => m._id),
    memberNames: members.map((m) => m.name),
    recordedBy: r.recordedBy,
    recordedByName: r.recordedByName,
    createdAt: r.createdAt,
  };
}

/** A stored offline record as the secretary's list shows it (older records may lack the names). */
export function offlineView(r: OfflineRecordDoc): OfflineView {
  return {
    id: r._id,
    kind: r.kind,
    date: r.date,
    topic: r.topic,
    hours: r.hours,
    place: r.place,
    deliveredBy: r.deliveredBy,
    members: r.memberIds.map((id, i) => ({ id, name: r.memberNames?.[i] ?? '' })),
    recordedBy: r.recordedByName ?? '',
  };
}
