/**
 * Importing a roster the app uploaded to cloud storage (importRosterFile): up to 5,000 people, in
 * batches that fit the org function's 20 s timeout (cloudbaserc.json). Rules (columns, rows, what changes) come from
 * core/org/roster.ts.
 *
 * Partial: valid rows are imported, the rest come back as a report file (.xlsx, the rows as they
 * were plus a 问题 column) and counts. No transaction spans the file: each batch inserts its new
 * members in one write and updates the others one by one. Exactly once all the same: members are
 * matched by phone (a unique index), and every member a run writes carries the run's id, so a batch
 * repeated after a lost answer or a timeout finds its own work, writes nothing and counts it as it
 * was (created or updated) once.
 */
import crypto from 'crypto';
import { isDuplicateKey, type Db } from '../../core/fn/db';
import { AppError } from '../../core/fn/errors';
import type { RosterFileReport, RosterRowError } from '../../core/org/contracts';
import { newMemberId, type StoredMemberDoc } from '../../core/org/member';
import { MAX_ROSTER_FILE_ROWS, planRosterImport, rosterProblemRows, validateRoster, type RosterImportMark, type RosterPlan, type RosterRow, type RosterValidation } from '../../core/org/roster';
import { readSheetBuffer, SheetFileError } from '../../core/sheet/read';
import { problemsWorkbook } from '../../core/sheet/report-file';
import { isOwnImport, MAX_IMPORT_BYTES, reportCloudPath } from '../../core/sheet/upload-path';

const MEMBERS = 'org_members';
/** rows per batch: one read of their members by phone, one insert, the updates */
export const ROSTER_BATCH = 250;
/** a call starts no new batch after this long, so it ends well inside the 20 s timeout (the dry run checks the whole file in one call) */
export const ROSTER_BUDGET_MS = 5_000;
/** phones per existence query (a query answers at most 1000 documents) */
const PHONES_PER_READ = 500;
/** updates in flight at once */
const PARALLEL_UPDATES = 10;
/** problems listed on the page; the report file has them all */
const LISTED = 50;

type Member = StoredMemberDoc & RosterImportMark;

export interface RosterStorage {
  download(fileID: string): Promise<Buffer>;
  upload(cloudPath: string, content: Buffer): Promise<string>;
  tempUrl(fileID: string): Promise<string>;
}

/** cloud.downloadFile / uploadFile / getTempFileURL of wx-server-sdk (the org ctx's `cloud`). */
export function rosterStorage(cloud: unknown): RosterStorage {
  const c = cloud as {
    downloadFile(o: { fileID: string }): Promise<{ fileContent: Buffer }>;
    uploadFile(o: { cloudPath: string; fileContent: Buffer }): Promise<{ fileID: string }>;
    getTempFileURL(o: { fileList: string[] }): Promise<{ fileList: Array<{ tempFileURL?: string }> }>;
  };
  return {
    download: async (fileID) => (await c.downloadFile({ fileID })).fileContent,
    upload: async (cloudPath, fileContent) => (await c.uploadFile({ cloudPath, fileContent })).fileID,
    tempUrl: async (fileID) => (await c.getTempFileURL({ fileList: [fileID] })).fileList[0]?.tempFileURL ?? '',
  };
}

/**
 * Changes to existing members: each update sets absolute values, so one repeated after a failure
 * lands on the same document with the same result. Ten at a time keeps a batch short.
 */
export async function writeRosterUpdates(db: Db, updates: RosterPlan['updates']): Promise<void> {
  for (let i = 0; i < updates.length; i += PARALLEL_UPDATES) {
    await Promise.all(updates.slice(i, i + PARALLEL_UPDATES).map((u) => db.collection(MEMBERS).doc(u.id).update({ data: u.set })));
  }
}

/** The members holding these phones, in reads of 500 phones. */
async function membersByPhone(db: Db, phones: string[]): Promise<Member[]> {
  const _ = db.command;
  const out: Member[] = [];
  for (let i = 0; i < phones.length; i += PHONES_PER_READ) {
    const chunk = phones.slice(i, i + PHONES_PER_READ);
    const res = await db.collection(MEMBERS).where({ phone: _.in(chunk) }).limit(1000).get();
    out.push(...(res.data as Member[]));
  }
  return out;
}

/** A warm instance keeps the last files it read (by fileID), so the calls of one import read and check the file once. */
const parsed = new Map<string, { at: number; table: string[][]; v: RosterValidation }>();
export function clearRosterCache(): void {
  parsed.clear();
}

async function readChecked(storage: RosterStorage, fileID: string, fileName: string, now: Date) {
  const hit = parsed.get(fileID);
  if (hit && now.getTime() - hit.at < 10 * 60_000) return hit;
  let table: string[][];
  try {
    let buf: Buffer;
    try {
      buf = await storage.download(fileID);
    } catch {
      throw new SheetFileError('找不到上传的文件，请重新选择文件');
    }
    if (buf.length > MAX_IMPORT_BYTES) throw new SheetFileError('文件太大：单个文件不超过 10 MB，请拆分后分批导入');
    // the row limit and then some, so validation can say the file is too long
    table = await readSheetBuffer(fileName, buf, { maxRows: MAX_ROSTER_FILE_ROWS + 20, columns: 30 });
  } catch (e) {
    if (e instanceof SheetFileError) throw new AppError('INVALID_ARGUMENT', e.message);
    throw e;
  }
  const entry = { at: now.getTime(), table, v: validateRoster(table, now, { maxRows: MAX_ROSTER_FILE_ROWS }) };
  if (parsed.size >= 2) parsed.clear();
  parsed.set(fileID, entry);
  return entry;
}

export interface RosterFileInput {
  fileID: string;
  fileName: string;
  dryRun: boolean;
  from: number;
  runId?: string;
}

export interface RosterFileRun {
  db: Db;
  now: Date;
  openid: string;
  branch: { _id: string; path?: string[] | null };
  groups: Array<{ _id: string; name: string }>;
  storage: RosterStorage;
  randomBytes: (n: number) => Uint8Array;
  /** when the call started (ms), for the batch budget */
  startedAt: number;
  budgetMs?: number;
}

const sortErrors = (e: RosterRowError[]) => e.sort((a, b) => a.row - b.row);
const rowsOf = (errors: RosterRowError[]) => new Set(errors.map((e) => e.row)).size;

/** One batch: plan against what is stored, insert the new members, update the others; a clash on the phone index means another import got there first: plan again. */
async function importBatch(run: RosterFileRun, rows: RosterRow[], runId: string): Promise<RosterPlan> {
  let existing = await membersByPhone(run.db, rows.map((r) => r.phone));
  for (let attempt = 1; ; attempt++) {
    const plan = planRosterImport({ rows, branch: run.branch, existing, groups: run.groups, now: run.now, newId: () => newMemberId(run.randomBytes), runId });
    if (plan.creates.length) {
      try {
        await run.db.collection(MEMBERS).add({ data: plan.creates });
      } catch (e) {
        if (!isDuplicateKey(e) || attempt >= 3) throw e;
        existing = await membersByPhone(run.db, rows.map((r) => r.phone));
        continue;
      }
    }
    await writeRosterUpdates(run.db, plan.updates);
    return plan;
  }
}

export async function importRosterFile(input: RosterFileInput, run: RosterFileRun): Promise<RosterFileReport> {
  // only the caller's own upload: a fileID must not open someone else's file through the report
  if (!isOwnImport(input.fileID, 'roster', run.openid)) throw new AppError('PERMISSION_DENIED', '只能导入您自己上传的文件，请重新选择文件');
  if (input.from > 0 && !input.runId) throw new AppError('INVALID_ARGUMENT', '缺少导入编号，请重新开始导入');
  const { table, v } = await readChecked(run.storage, input.fileID, input.fileName, run.now);
  const runId = input.runId ?? crypto.randomBytes(8).toString('hex');
  const report: RosterFileReport = {
    dryRun: input.dryRun,
    runId,
    total: v.total,
    valid: v.rows.length,
    created: 0,
    updated: 0,
    unchanged: 0,
    needsChanges: 0,
    errors: [],
    problemsFile: null,
    fatal: v.fatal,
    from: input.from,
    next: null,
  };
  if (v.fatal) {
    report.errors = v.errors.slice(0, 1);
    return report;
  }
  if (input.from > v.rows.length) throw new AppError('INVALID_ARGUMENT', '导入进度不对，请重新开始导入');
  if (input.from === 0) {
    // the whole file against what is stored, read only: the dry run's answer, and the first call's report
    const plan = planRosterImport({
      rows: v.rows,
      branch: run.branch,
      existing: await membersByPhone(run.db, v.rows.map((r) => r.phone)),
      groups: run.groups,
      now: run.now,
      newId: () => '',
    });
    const errors = sortErrors([...v.errors, ...plan.errors]);
    report.needsChanges = rowsOf(errors);
    report.errors = errors.slice(0, LISTED);
    if (errors.length) {
      const fileID = await run.storage.upload(reportCloudPath('roster', run.openid, runId), await problemsWorkbook(v.header, rosterProblemRows(table, errors)));
      report.problemsFile = { fileID, url: await run.storage.tempUrl(fileID) };
    }
    if (input.dryRun) {
      Object.assign(report, { created: plan.creates.length, updated: plan.updates.length, unchanged: plan.unchanged });
      return report;
    }
  } else if (input.dryRun) {
    throw new AppError('INVALID_ARGUMENT', '检查从头开始，请重新选择文件');
  }
  const budget = run.budgetMs ?? ROSTER_BUDGET_MS;
  let i = input.from;
  const late: RosterRowError[] = [];
  while (i < v.rows.length) {
    if (i > input.from && Date.now() - run.startedAt > budget) break;
    const batch = v.rows.slice(i, i + ROSTER_BATCH);
    const plan = await importBatch(run, batch, runId);
    report.created += plan.creates.length + plan.done.created;
    report.updated += plan.updates.length + plan.done.updated;
    report.unchanged += plan.unchanged;
    // the first call listed the rows that cannot be imported; later, only what changed since
    if (input.from > 0) late.push(...plan.errors);
    i += batch.length;
  }
  if (input.from > 0) {
    report.needsChanges = rowsOf(late);
    report.errors = sortErrors(late).slice(0, LISTED);
  }
  report.next = i < v.rows.length ? i : null;
  return report;
}
