/**
 * The in-process harness (test/setup/in-process.ts) answers as the hosted function does: the same
 * data, the same gateway status and the same count of data-plane operations as the emulator's
 * `x-db-ops` header, for a read, a write and a refusal.
 */
import type { Emulator } from '../../scripts/local-cloud';
import { startTestEmulator } from '../setup/emulator';
import { linkFunctions } from '../setup/functions';
import { inProcess, type InProcessCloud } from '../setup/in-process';
import { DEMO } from '../../seed';

let emu: Emulator;
let cloud: InProcessCloud;

async function overHttp(fn: string, openid: string | null, action: string, payload: unknown = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (openid) headers['x-wx-openid'] = openid;
  const res = await fetch(`${emu.url}/api/functions/${fn}`, { method: 'POST', headers, body: JSON.stringify({ action, payload }) });
  const body = (await res.json()) as any;
  const ops = JSON.parse(res.headers.get('x-db-ops') ?? '{}');
  return { status: res.status, data: body.result?.data, error: body.error, ops };
}

beforeAll(async () => {
  const fnDir = await linkFunctions('in-process', ['org']);
  emu = await startTestEmulator('in-process', { functionsDir: fnDir, pool: 1 });
  cloud = inProcess(emu);
});

afterAll(async () => {
  cloud?.close();
  await emu?.close();
});

test('a read answers the same data and costs the same operations in-process as over HTTP', async () => {
  const http = await overHttp('org', DEMO.memberOpenid, 'me');
  const local = await cloud.call('org', DEMO.memberOpenid, 'me');
  expect(local.ok).toBe(true);
  expect(local.status).toBe(http.status);
  expect(local.data).toEqual(http.data);
  expect(local.ops.reads).toBe(http.ops.reads);
  expect(local.ops.total).toBe(http.ops.total);
  expect(local.ops.total).toBeGreaterThan(0);
});

test('a refusal carries the gateway status and the same error', async () => {
  const http = await overHttp('org', 'o-nobody', 'listMembers', {});
  const local = await cloud.call('org', 'o-nobody', 'listMembers', {});
  expect(local.ok).toBe(false);
  expect(local.status).toBe(http.status);
  expect(local.error).toEqual(http.error);
});

test('bad input is refused in-process with the same code as over HTTP, and nothing is counted as written', async () => {
  const http = await overHttp('org', DEMO.memberOpenid, 'inviteInfo', { code: 42 });
  const local = await cloud.call('org', DEMO.memberOpenid, 'inviteInfo', { code: 42 });
  expect(local.error?.code).toBe(http.error?.code);
  expect(local.status).toBe(http.status);
  expect(local.ops.writes).toBe(0);
});
