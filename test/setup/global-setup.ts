/**
 * Jest global setup of the suites that run cloud functions: bundles the repository's functions once
 * for the whole run (every suite used to bundle all of them again, a few seconds each), and seeds the
 * demo district once for the suites' emulators to start from (demo-snapshot.ts).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { buildFunctions } from '../../emulator/build-functions';
import { startEmulator } from '../../scripts/local-cloud';
import { keepDemoSnapshot, SNAPSHOT_ENV } from './demo-snapshot';
import { PREBUILT_ENV, REPO_FUNCTIONS } from './functions';

export default async function globalSetup(): Promise<void> {
  delete process.env[PREBUILT_ENV];
  delete process.env[SNAPSHOT_ENV];
  try {
    await buildFunctions(REPO_FUNCTIONS);
    // inherited by the test workers, started after this
    process.env[PREBUILT_ENV] = '1';
  } catch (e) {
    // each suite bundles what it needs and fails with the error itself
    process.stderr.write(`\ncloud functions not bundled for the run: ${(e as Error).message}\n`);
    return;
  }
  const at = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pps-demo-snapshot-'));
  // the functions are not called: no secrets, no timers; the seed writes through the store
  const emu = await startEmulator({ functionsDir: REPO_FUNCTIONS, dataDir: dir, port: 0, strict: true, seed: 'demo', triggers: false, h5Dir: dir, log: () => undefined });
  await emu.close();
  keepDemoSnapshot(dir, at);
}
