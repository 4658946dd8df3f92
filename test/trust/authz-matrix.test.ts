/**
 * The authorisation matrix: every action of every cloud function, called as each of the eight kinds
 * of caller, against the verdicts in docs/permissions.md. An allowed cell must succeed (or give the
 * case's declared business refusal); a refused cell must answer PERMISSION_DENIED or NOT_FOUND and
 * write nothing. An action without a row (or a case) fails the suite, as does a row for an action
 * that no longer exists, or a README whose copy of the table is stale.
 */
import fs from 'fs';
import { allActions, CALLER_KINDS, startTrustHarness, type Harness } from './harness';
import { readPermissions, renderIntoReadme, README_FILE, PERMISSIONS_FILE } from './permissions';
import { AUTHZ_CASES } from './cases';

const DENIED = new Set(['PERMISSION_DENIED', 'NOT_FOUND']);
const actions = allActions();
const { rows, problems } = readPermissions();

let h: Harness;
beforeAll(async () => {
  h = await startTrustHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('the permission table', () => {
  test('is well formed', () => {
    expect(problems).toEqual([]);
  });

  test('has a row for every action, and no row for an action that does not exist', () => {
    const keys = new Set(actions.map((a) => a.key));
    expect(actions.filter((a) => !rows.has(a.key)).map((a) => a.key)).toEqual([]);
    expect([...rows.keys()].filter((k) => !keys.has(k))).toEqual([]);
  });

  test('has a case for every action', () => {
    expect(actions.filter((a) => !AUTHZ_CASES[a.fn]?.[a.action]).map((a) => a.key)).toEqual([]);
  });

  test('is copied unchanged into the README (npm run docs:permissions)', () => {
    const readme = fs.readFileSync(README_FILE, 'utf8');
    expect(renderIntoReadme(readme, fs.readFileSync(PERMISSIONS_FILE, 'utf8'))).toBe(readme);
  });
});

describe('a call without a WeChat identity', () => {
  test('is refused by every action with UNAUTHENTICATED, before anything is read', async () => {
    const wrong: string[] = [];
    for (const a of actions) {
      const r = await h.call(a.fn, a.action, {}, null);
      if (r.ok || r.error?.code !== 'UNAUTHENTICATED' || r.ops.total !== 0) wrong.push(`${a.key}: ${r.error?.code ?? 'ok'} ops ${r.ops.total}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe.each(actions.map((a) => [a.key, a] as const))('%s', (key, a) => {
  test('answers each kind of caller as the table says', async () => {
    const row = rows.get(key);
    const c = AUTHZ_CASES[a.fn]?.[a.action];
    if (!row || !c) throw new Error(`${key} has no row in docs/permissions.md or no case in test/trust/cases/${a.fn}.ts`);
    const wrong: string[] = [];
    for (const kind of CALLER_KINDS) {
      const caller = h.callers[kind];
      const payload = await c.payload(h, caller);
      const r = await h.call(a.fn, a.action, payload, caller.openid);
      const got = r.ok ? 'ok' : `${r.error?.code} ${r.error?.message}`;
      if (row.verdicts[kind] === 'allow') {
        const refusal = c.allowedRefusal?.[kind];
        if (refusal ? r.error?.code !== refusal : !r.ok) wrong.push(`${kind}: expected ${refusal ?? 'ok'}, got ${got}`);
        else if (c.check) {
          try {
            await c.check(h, caller, r);
          } catch (e) {
            wrong.push(`${kind}: ${(e as Error).message}`);
          }
        }
      } else {
        if (r.ok || !DENIED.has(r.error!.code)) wrong.push(`${kind}: expected refusal, got ${got}`);
        else if (r.ops.writes !== 0) wrong.push(`${kind}: refused but wrote ${r.ops.writes} time(s)`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
