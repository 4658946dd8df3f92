import { useState } from 'react';
import type { ZodType } from 'zod';
import { NETWORK_MESSAGE, toApiError, type ApiError } from '../api/errors';
import { pickSpreadsheet, type PickedFile } from '../utils/spreadsheet-file';
import { useSubmit } from './use-submit';

export type ImportInput = PickedFile & { dryRun: boolean };

export interface SpreadsheetImport<R> {
  file: PickedFile | null;
  /** the last answer: a dry run's check, or the import itself */
  report: R | null;
  busyKey: 'check' | 'commit' | null;
  error: ApiError | null;
  /** picks a file and checks it at once (a dry run: nothing is written) */
  choose(): Promise<void>;
  /** imports the file that was checked */
  commit(): Promise<void>;
}

/**
 * An .xlsx/.csv import in two steps, as the roster and the question bank do it: choose a file, which
 * the function checks without writing (row-by-row report), then confirm to import it. The file is
 * checked against the function's own input schema before it is sent.
 */
export function useSpreadsheetImport<R>(options: {
  /** id of the H5 file input (the E2E tests set files on it) */
  inputId: string;
  schema: ZodType;
  send(input: ImportInput): Promise<R>;
  onImported?(report: R): void;
}): SpreadsheetImport<R> {
  const [file, setFile] = useState<PickedFile | null>(null);
  const [report, setReport] = useState<R | null>(null);
  const submit = useSubmit<void, 'check' | 'commit'>();

  const run = async (picked: PickedFile, dryRun: boolean) => {
    const input = { ...picked, dryRun };
    const parsed = options.schema.safeParse(input);
    if (!parsed.success) return submit.fail(parsed.error.issues[0]?.message ?? '文件不对');
    await submit.send(async () => {
      const r = await options.send(input);
      setReport(r);
      if (!dryRun) options.onImported?.(r);
    }, dryRun ? 'check' : 'commit');
  };

  const choose = async () => {
    if (submit.busy) return;
    try {
      const picked = await pickSpreadsheet(options.inputId);
      if (!picked) return;
      setFile(picked);
      setReport(null);
      await run(picked, true);
    } catch (err) {
      // reading a local file failed: not the network, whatever the error says
      const message = toApiError(err).message;
      submit.fail(message === NETWORK_MESSAGE ? '读取文件失败，请重新选择' : message);
    }
  };

  return {
    file,
    report,
    busyKey: submit.busyKey,
    error: submit.error,
    choose,
    commit: async () => {
      if (file) await run(file, false);
    },
  };
}
