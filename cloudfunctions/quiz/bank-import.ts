/**
 * Importing a question bank: the database work behind importBank (a small file sent inline) and
 * importBankFile (a file of any size in cloud storage, imported in batches that fit the function's
 * timeout). Rules (columns, rows, problems, ids) come from core/quiz/bank.ts.
 *
 * Idempotent by design: a question's _id derives from its bank and its normalised stem, options and
 * answer, so a repeated batch, a retried call or the same file imported twice writes nothing new.
 * Resumable: each call reports the next row to import; the app calls again from there, and a call
 * repeated after a timeout finds its own rows already stored (`importRun`) and counts them once.
 */
import crypto from 'crypto';
import { isDuplicateKey, type Db } from '../../core/fn/db';
import { AppError } from '../../core/fn/errors';
import { firstProblems, toStoredQuestion, validateBank, type BankValidation } from '../../core/quiz/bank';
import type { BankTable } from '../../core/quiz/bank-file';
import type { BankImportReport } from '../../core/quiz/contracts';
import { contentKey, normaliseStem, type StoredQuestion } from '../../core/quiz/question';
import { problemsWorkbook } from '../../core/sheet/report-file';
import { reportCloudPath } from '../../core/sheet/upload-path';

const QUESTIONS = 'quiz_questions';
/** questions per insert and per existence check (a query answers at most 1000 documents) */
export const IMPORT_BATCH = 500;
/** a call starts no new batch after this long, so it ends well inside the 10 s timeout */
export const IMPORT_BUDGET_MS = 5_000;
/** problems and warnings listed on the page; the report file has them all */
const LISTED = 20;

export interface ImportStorage {
  upload(cloudPath: string, content: Buffer): Promise<string>;
  tempUrl(fileID: string): Promise<string>;
}

export interface BankImportRun {
  db: Db;
  now: Date;
  orgId: string;
  openid: string;
  storage: ImportStorage;
  dryRun: boolean;
  defaultSource?: string;
  /** first valid row to import (0: the start) */
  from: number;
  /** the run this call continues; a new one when absent */
  runId?: string;
  /** when the call started (ms), for the batch budget */
  startedAt: number;
  budgetMs?: number;
}

/**
 * A warm instance keeps the last files it read (by fileID), so the calls of one import read and
 * check the file once.
 */
const parsed = new Map<string, { at: number; v: BankValidation; unit: '行' | '题' }>();
export function validateCached(key: string | null, src: () => Promise<BankTable>, defaultSource: string | undefined, nowMs: number) {
  const k = key ? `${key}\u0000${defaultSource ?? ''}` : null;
  const hit = k ? parsed.get(k) : undefined;
  if (hit && nowMs - hit.at < 10 * 60_000) return Promise.resolve(hit);
  return src().then((t) => {
    const entry = { at: nowMs, v: validateBank(t.table, { defaultSource, rowNumber: t.rowNumber }), unit: t.unit };
    if (k) {
      if (parsed.size >= 2) parsed.clear();
      parsed.set(k, entry);
    }
    return entry;
  });
}
export function clearImportCache(): void {
  parsed.clear();
}

/** Which of `docs` are stored already: by id, or (for questions stored before ids knew the answer) by the same stem and content. */
async function storedAlready(db: Db, orgId: string, docs: StoredQuestion[], runId: string): Promise<{ dup: Set<string>; ours: Set<string> }> {
  const _ = db.command;
  const [byId, byStem] = await Promise.all([
    db.collection(QUESTIONS).where({ _id: _.in(docs.map((d) => d._id)) }).field({ _id: true, importRun: true }).limit(1000).get(),
    db.collection(QUESTIONS).where({ orgId, stem: _.in([...new Set(docs.map((d) => d.stem))]) }).field({ _id: true, stem: true, type: true, options: true, answer: true }).limit(1000).get(),
  ]);
  const dup = new Set<string>();
  const ours = new Set<string>();
  for (const e of byId.data as Array<{ _id: string; importRun?: string }>) (e.importRun === runId ? ours : dup).add(e._id);
  const legacy = new Set((byStem.data as StoredQuestion[]).map((q) => `${normaliseStem(q.stem)}\u0000${contentKey(q)}`));
  for (const d of docs) if (!ours.has(d._id) && legacy.has(`${normaliseStem(d.stem)}\u0000${contentKey(d)}`)) dup.add(d._id);
  return { dup, ours };
}

/** One insert for the batch; when another import got there first, one by one, skipping what exists. */
async function insertAll(db: Db, docs: StoredQuestion[]): Promise<number> {
  if (!docs.length) return 0;
  try {
    await db.collection(QUESTIONS).add({ data: docs });
    return docs.length;
  } catch (e) {
    if (!isDuplicateKey(e)) throw e;
  }
  let n = 0;
  for (const d of docs) {
    try {
      await db.collection(QUESTIONS).add({ data: d });
      n++;
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
    }
  }
  return n;
}

export async function runBankImport(run: BankImportRun, checked: { v: BankValidation; unit: '行' | '题' }): Promise<BankImportReport> {
  const { db, now, orgId } = run;
  const { v, unit } = checked;
  const runId = run.runId ?? crypto.randomBytes(8).toString('hex');
  const report: BankImportReport = {
    dryRun: run.dryRun,
    unit,
    runId,
    total: v.total,
    valid: v.rows.length,
    created: 0,
    skipped: 0,
    needsChanges: v.invalid.length,
    errors: v.fatal ? v.errors.slice(0, 1) : firstProblems(v, LISTED),
    duplicates: v.duplicatesInFile.slice(0, LISTED),
    warnings: v.warnings.slice(0, LISTED),
    warningCount: v.warnings.length,
    problemsFile: null,
    fatal: v.fatal,
    from: run.from,
    next: null,
  };
  if (v.fatal) return report;
  if (run.from === 0) {
    // duplicates within the file are counted once, on the first call
    report.skipped = v.duplicatesInFile.length;
    if (v.invalid.length) {
      const fileID = await run.storage.upload(reportCloudPath('quiz', run.openid, runId), await problemsWorkbook(v.header, v.invalid, unit));
      report.problemsFile = { fileID, url: await run.storage.tempUrl(fileID) };
    }
  }
  const docs = v.rows.map((r) => ({ ...toStoredQuestion(orgId, r, now), importRun: runId }));
  const budget = run.budgetMs ?? IMPORT_BUDGET_MS;
  let i = run.from;
  if (i > docs.length) throw new AppError('INVALID_ARGUMENT', '导入进度不对，请重新开始导入');
  const dupRows: Array<{ row: number; message: string }> = [];
  while (i < docs.length) {
    // a dry run checks the whole file in one call: it only reads
    if (!run.dryRun && i > run.from && Date.now() - run.startedAt > budget) break;
    const batch = docs.slice(i, i + (run.dryRun ? 1000 : IMPORT_BATCH));
    const { dup, ours } = await storedAlready(db, orgId, batch, runId);
    const fresh = batch.filter((d) => !dup.has(d._id) && !ours.has(d._id));
    batch.forEach((d, k) => {
      if (dup.has(d._id) && dupRows.length < LISTED) dupRows.push({ row: v.rows[i + k].row, message: '题库中已有这道题，将跳过' });
    });
    report.skipped += dup.size;
    report.created += ours.size + (run.dryRun ? fresh.length : await insertAll(db, fresh));
    i += batch.length;
  }
  report.duplicates = [...report.duplicates, ...dupRows].sort((a, b) => a.row - b.row).slice(0, LISTED);
  report.next = i < docs.length ? i : null;
  return report;
}
