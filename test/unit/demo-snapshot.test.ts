/**
 * The suites' emulators start from a copy of the run's demo district (test/setup/demo-snapshot.ts)
 * only while the seed's clock-relative data still hold: the same China day, within 10 minutes.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { freshDataDir, keepDemoSnapshot, SNAPSHOT_ENV, usableSnapshot } from '../setup/demo-snapshot';

const saved = process.env[SNAPSHOT_ENV];
let snapshotDir: string;

beforeAll(() => {
  snapshotDir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapshot-test-'));
  fs.writeFileSync(path.join(snapshotDir, 'db.sqlite'), 'db');
  fs.mkdirSync(path.join(snapshotDir, 'storage', 'env', 'demo'), { recursive: true });
  fs.writeFileSync(path.join(snapshotDir, 'storage', 'env', 'demo', 'a.wav'), 'wav');
  fs.writeFileSync(path.join(snapshotDir, 'secrets.json'), '{}');
});

afterAll(() => {
  if (saved === undefined) delete process.env[SNAPSHOT_ENV];
  else process.env[SNAPSHOT_ENV] = saved;
  fs.rmSync(snapshotDir, { recursive: true, force: true });
});

test('a demo emulator starts from the store and files, never the secrets; any other seed from nothing', () => {
  keepDemoSnapshot(snapshotDir, Date.now());
  const demo = freshDataDir('snapshot-demo', 'demo');
  expect(fs.readFileSync(path.join(demo, 'db.sqlite'), 'utf8')).toBe('db');
  expect(fs.readFileSync(path.join(demo, 'storage', 'env', 'demo', 'a.wav'), 'utf8')).toBe('wav');
  expect(fs.existsSync(path.join(demo, 'secrets.json'))).toBe(false);
  for (const seed of ['none', 'district', undefined]) expect(fs.readdirSync(freshDataDir('snapshot-other', seed))).toEqual([]);
});

test('10 minutes after the seed, or on another China day, the emulator seeds afresh', () => {
  // 23:58 in China is 15:58 UTC
  const made = Date.parse('2026-06-01T15:58:00Z');
  keepDemoSnapshot(snapshotDir, made);
  expect(usableSnapshot(made + 60_000)).toBeDefined();
  expect(usableSnapshot(made + 90_000)).toBeDefined();
  // 00:01 the next day in China: only 3 minutes later, but today's quiz set is another one
  expect(usableSnapshot(made + 3 * 60_000)).toBeUndefined();
  const noon = Date.parse('2026-06-01T04:00:00Z');
  keepDemoSnapshot(snapshotDir, noon);
  expect(usableSnapshot(noon + 9 * 60_000)).toBeDefined();
  expect(usableSnapshot(noon + 10 * 60_000)).toBeUndefined();
  expect(fs.readdirSync(freshDataDir('snapshot-late', 'demo'))).toEqual([]);
});
