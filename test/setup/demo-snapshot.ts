/**
 * The demo district, seeded once per jest run. Seeding it costs 1.5–3 s of CPU (some 20,000
 * documents, the lessons' media, the minutes' photos), and about forty suites start an emulator on
 * it. The global setup seeds one emulator and keeps its data folder (db.sqlite and storage/); a
 * suite's fresh data folder starts as a copy of it, and the emulator, finding a store that is not
 * empty, does not seed again. The data are the seed's own, written by the same code.
 *
 * The seed's times follow the clock (a 党课 starting in 20 minutes with sign-in open, a live lesson on
 * air, today's quiz set), so a copy is used only on the China day it was made and for 10 minutes;
 * after that a suite's emulator seeds afresh as it always did.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { dayOf } from '../../core/day';

export const SNAPSHOT_ENV = 'JEST_DEMO_SNAPSHOT';
const MAX_AGE_MS = 10 * 60_000;
/** what the emulator keeps in a data folder besides its secrets, which each suite makes its own */
const DATA = ['db.sqlite', 'storage'];

interface Snapshot {
  dir: string;
  at: number;
}

/** Records a data folder just seeded with the demo district (emulator closed) for this run's suites. */
export function keepDemoSnapshot(dir: string, at: number): void {
  process.env[SNAPSHOT_ENV] = JSON.stringify({ dir, at } satisfies Snapshot);
}

function kept(): Snapshot | undefined {
  const raw = process.env[SNAPSHOT_ENV];
  return raw ? (JSON.parse(raw) as Snapshot) : undefined;
}

/** Deletes the run's snapshot (global teardown). */
export function removeDemoSnapshot(): void {
  const s = kept();
  if (s) fs.rmSync(s.dir, { recursive: true, force: true });
}

export function usableSnapshot(now = Date.now()): Snapshot | undefined {
  const s = kept();
  if (!s) return undefined;
  const fresh = now - s.at < MAX_AGE_MS && dayOf(new Date(s.at)) === dayOf(new Date(now));
  return fresh && fs.existsSync(path.join(s.dir, 'db.sqlite')) ? s : undefined;
}

/**
 * A new data folder for an emulator: holding this run's demo district when `seed` is 'demo' and a
 * usable snapshot exists, empty otherwise (the emulator then seeds it itself).
 */
export function freshDataDir(prefix: string, seed: string | undefined): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const snapshot = seed === 'demo' ? usableSnapshot() : undefined;
  if (snapshot) for (const name of DATA) fs.cpSync(path.join(snapshot.dir, name), path.join(dir, name), { recursive: true });
  return dir;
}
