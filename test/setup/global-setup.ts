/**
 * Jest global setup of the suites that run cloud functions: bundles the repository's functions once
 * for the whole run (every suite used to bundle all of them again, a few seconds each).
 */
import { buildFunctions } from '../../emulator/build-functions';
import { PREBUILT_ENV, REPO_FUNCTIONS } from './functions';

export default async function globalSetup(): Promise<void> {
  delete process.env[PREBUILT_ENV];
  try {
    await buildFunctions(REPO_FUNCTIONS);
    // inherited by the test workers, started after this
    process.env[PREBUILT_ENV] = '1';
  } catch (e) {
    // each suite bundles what it needs and fails with the error itself
    process.stderr.write(`\ncloud functions not bundled for the run: ${(e as Error).message}\n`);
  }
}
