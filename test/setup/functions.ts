/**
 * The repository's cloud functions are bundled once per jest run (global-setup.ts); a suite calls
 * `buildFunctionsOnce(dir)` where it used to bundle them itself. A set of functions the run did not
 * bundle (a suite's own temporary functions), or any call outside such a run, is bundled here as
 * before, so a build error still fails the suite that needs the build.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { buildFunctions, listTsFunctions } from '../../emulator/build-functions';

export const REPO_FUNCTIONS = path.join(__dirname, '..', '..', 'cloudfunctions');

/** Set by the global setup once every function of REPO_FUNCTIONS is bundled for this run. */
export const PREBUILT_ENV = 'JEST_PREBUILT_FUNCTIONS';

/** Whether every function of `dir` is (a link to) one of the repository's, bundled for this run. */
function prebuilt(dir: string): boolean {
  if (process.env[PREBUILT_ENV] !== '1') return false;
  const repo = fs.realpathSync(REPO_FUNCTIONS);
  const names = listTsFunctions(dir);
  return names.length > 0 && names.every((n) => path.dirname(fs.realpathSync(path.join(dir, n))) === repo);
}

export async function buildFunctionsOnce(dir: string = REPO_FUNCTIONS): Promise<void> {
  if (prebuilt(dir)) return;
  await buildFunctions(dir);
}

/**
 * A folder holding links to just `names` of the repository's functions, bundled for this run: a
 * suite that hosts only its own feature's functions is not broken by another feature's work.
 */
export async function linkFunctions(prefix: string, names: readonly string[]): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-fn-`));
  for (const n of names) fs.symlinkSync(path.join(REPO_FUNCTIONS, n), path.join(dir, n), 'dir');
  await buildFunctionsOnce(dir);
  return dir;
}
