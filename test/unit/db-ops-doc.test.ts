/**
 * docs/db-ops.md is rendered from the `ops` next to each action and timer (scripts/render-db-ops.ts):
 * it must be current, and cover every function and every action.
 */
import fs from 'fs';
import path from 'path';
import { DB_OPS_FILE, renderDbOps, SERVED } from '../../scripts/render-db-ops';

const FUNCTIONS_DIR = path.join(__dirname, '..', '..', 'cloudfunctions');

test('every cloud function is in the document', () => {
  const folders = fs.readdirSync(FUNCTIONS_DIR).filter((f) => fs.existsSync(path.join(FUNCTIONS_DIR, f, 'index.ts')));
  expect(SERVED.map((f) => f.def.name).sort()).toEqual(folders.sort());
});

test('every action and timer says what it costs', () => {
  const missing: string[] = [];
  for (const { def } of SERVED) {
    for (const [name, a] of Object.entries(def.actions)) if (!a.ops.count.trim() || !a.ops.what.trim()) missing.push(`${def.name}.${name}`);
    for (const [name, t] of Object.entries(def.timers ?? {})) if (!t.ops.what.trim()) missing.push(`${def.name} timer ${name}`);
    // a timer is documented under the trigger config.json runs, and every trigger has one
    expect(Object.keys(def.timers ?? {}).sort()).toEqual((def.config.triggers ?? []).map((t) => t.name).sort());
  }
  expect(missing).toEqual([]);
});

test('docs/db-ops.md is current (npm run docs:db-ops)', () => {
  expect(fs.readFileSync(DB_OPS_FILE, 'utf8')).toBe(renderDbOps());
});
