import { useRef, useState } from 'react';
import { toApiError } from '../api/errors';
import { newImportRunId, pickAndUploadImport, type UploadedImport } from '../utils/upload-import';
import { useSubmit } from './use-submit';

/** What every batch of a file import answers (org.importRosterFile, quiz.importBankFile). */
export interface BatchReport {
  dryRun: boolean;
  /** rows that will be (or were) imported */
  valid: number;
  /** the row the next call starts at; null when the file is done */
  next: number | null;
}

/** The running sums of an import's calls, and how far it got. */
export type Progress<R extends BatchReport> = R & { processed: number };

export interface BatchImportOptions<R extends BatchReport> {
  /** the caller's upload folder (from the function's view), or null while it is not known */
  dir: string | null;
  /** id of the hidden file input on H5 (tests set a file on it) */
  inputId: string;
  accept?: string[];
  /** one call of the import function: the dry run (`from`/`runId` absent) or one batch */
  call(file: UploadedImport, batch: { dryRun: boolean; from?: number; runId?: string }): Promise<R>;
  /** adds a batch's report to the sums so far */
  merge(sum: R, batch: R): R;
}

/**
 * A file import as both import pages run it: choose a file (uploaded to cloud storage), dry run,
 * then batch after batch until the function says it is done. Every batch of one import carries the
 * same run id, named before the first call, so a call repeated after a lost answer counts its rows
 * once; after a failure `commit` carries on from the batch that did not answer.
 */
export function useBatchImport<R extends BatchReport>(opts: BatchImportOptions<R>) {
  const [file, setFile] = useState<UploadedImport | null>(null);
  const [report, setReport] = useState<Progress<R> | null>(null);
  const run = useSubmit<void, 'check' | 'commit'>();
  const resume = useRef<{ runId: string; from: number; sum: Progress<R> | null } | null>(null);

  const check = (f: UploadedImport) =>
    run.send(async () => {
      const r = await opts.call(f, { dryRun: true });
      setReport({ ...r, processed: 0 });
    }, 'check');

  const choose = async () => {
    if (run.busy || !opts.dir) return;
    try {
      const f = await pickAndUploadImport(opts.dir, opts.inputId, opts.accept);
      if (!f) return;
      setFile(f);
      setReport(null);
      resume.current = null;
      await check(f);
    } catch (err) {
      run.fail(toApiError(err).message);
    }
  };

  /** Imports the chosen file; resolves with the sums when every batch landed, undefined when one failed (the error is in `run`). */
  const commit = async (): Promise<Progress<R> | undefined> => {
    if (!file) return undefined;
    let done: Progress<R> | undefined;
    await run.send(async () => {
      const state = (resume.current ??= { runId: newImportRunId(), from: 0, sum: null });
      for (;;) {
        const r = await opts.call(file, { dryRun: false, from: state.from, runId: state.runId });
        const processed = r.next ?? r.valid;
        state.sum = state.sum ? { ...opts.merge(state.sum, r), next: r.next, processed } : { ...r, processed };
        setReport(state.sum);
        if (r.next === null) break;
        state.from = r.next;
      }
      done = state.sum ?? undefined;
    }, 'commit');
    return done;
  };

  /** an import that stopped part way: the page offers 继续导入 */
  const stopped = !!resume.current && report !== null && !report.dryRun && report.next !== null && !run.busy;
  return { file, report, run, choose, commit, stopped };
}
