/** Jest global teardown: removes the run's demo snapshot (demo-snapshot.ts). */
import fs from 'fs';
import { SNAPSHOT_ENV } from './demo-snapshot';

export default async function globalTeardown(): Promise<void> {
  const raw = process.env[SNAPSHOT_ENV];
  if (raw) fs.rmSync((JSON.parse(raw) as { dir: string }).dir, { recursive: true, force: true });
}
