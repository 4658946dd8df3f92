/**
 * The emulator's local-only surfaces stay local. /admin (the data plane the functions' SDK talks to)
 * accepts only requests signed with the credentials this emulator run gave its function instances.
 * The dev sign-in, its session cookie, the x-wx-openid test header, test faults, /api/outbox,
 * /api/stats and /api/dev/* exist only in dev mode, which listens on a loopback address only and
 * answers only requests addressed to one. Gateway errors speak Chinese.
 */
import crypto from 'crypto';
import { spawn } from 'child_process';
import fs from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';
import { startEmulator, type Emulator } from '../../emulator/server';
import { parseArgs } from '../../emulator/cli';
import { postAdmin } from '../fixtures/admin-sign';

const ROOT = path.join(__dirname, '..', '..');
const FUNCTIONS = path.join(__dirname, '..', 'fixtures', 'functions');
const HAN = /[\u4e00-\u9fff]/;
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

function h5Dir(): string {
  const dir = tmp('sec-h5-');
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>app</title>');
  return dir;
}

describe('/admin checks the signature the SDK sends', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ functionsDir: FUNCTIONS, dataDir: tmp('sec-admin-'), port: 0, triggers: false, log: () => undefined });
  });
  afterAll(() => emu?.close());

  const insert = (marker: string) => ({
    action: 'database.insertDocument',
    collectionName: 'sample_items',
    data: [JSON.stringify({ _id: marker, marker })],
  });
  const stored = (id: string) => emu.backend.store.findOne('sample_items', id);

  test('the credentials are fresh random ones for this run, not a fixed value', () => {
    expect(emu.credentials.secretId).not.toBe('local');
    expect(emu.credentials.secretKey.length).toBeGreaterThanOrEqual(32);
  });

  test('a request signed with the emulator\'s credentials runs', async () => {
    const r = await postAdmin(emu.url, insert('signed'), emu.credentials);
    expect(r.json.code).toBeUndefined();
    expect(stored('signed')).toMatchObject({ marker: 'signed' });
  });

  test('unsigned, wrongly signed, tampered or stale requests are refused as CloudBase refuses them, and nothing runs', async () => {
    const wrongKey = { secretId: emu.credentials.secretId, secretKey: crypto.randomBytes(24).toString('base64url') };
    const attempts: Array<[string, Promise<{ status: number; json: any }>]> = [
      ['unsigned', postAdmin(emu.url, insert('unsigned'), null)],
      ['the old fixed keys', postAdmin(emu.url, insert('fixed'), { secretId: 'local', secretKey: 'local' })],
      ['another key', postAdmin(emu.url, insert('other-key'), wrongKey)],
      ['another secret id', postAdmin(emu.url, insert('other-id'), { ...emu.credentials, secretId: 'AKIDsomeoneelse' })],
      ['a changed body', postAdmin(emu.url, insert('tampered'), emu.credentials, { tamper: (b) => b.replace('"tampered\\"', '"tampered2\\"') })],
      ['a signature 11 minutes old', postAdmin(emu.url, insert('stale'), emu.credentials, { timestamp: Math.floor(Date.now() / 1000) - 660 })],
      ['an instance route', postAdmin(emu.url, insert('instance'), null, { path: '/admin/i/sample-1-abcdef' })],
    ];
    for (const [label, p] of attempts) {
      const r = await p;
      expect({ label, status: r.status, code: r.json.code }).toEqual({ label, status: 200, code: 'SIGN_PARAM_INVALID' });
      expect(r.json.message).toMatch(HAN);
    }
    for (const id of ['unsigned', 'fixed', 'other-key', 'other-id', 'tampered', 'tampered2', 'stale', 'instance']) expect(stored(id)).toBeNull();
  });

  test('the real wx-server-sdk with the wrong keys is refused; with the emulator\'s keys it works', async () => {
    const script = `
      const cloud = require('wx-server-sdk');
      cloud.init({ env: 'local-env' });
      cloud.database().collection('sample_items').add({ data: { _id: process.env.MARKER } })
        .then(() => console.log(JSON.stringify({ ok: true })), (e) => console.log(JSON.stringify({ ok: false, msg: String(e.errMsg || e.message) })));`;
    const run = (keys: { secretId: string; secretKey: string }, marker: string) =>
      new Promise<any>((resolve, reject) => {
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          TCB_CONTEXT_CNFG: JSON.stringify({ URL: `${emu.url}/admin` }),
          TENCENTCLOUD_SECRETID: keys.secretId,
          TENCENTCLOUD_SECRETKEY: keys.secretKey,
          TENCENTCLOUD: 'true',
          TCB_ENV: 'local-env',
          SILENCE: 'true',
          MARKER: marker,
        };
        delete env.NODE_TEST_CONTEXT;
        const child = spawn(process.execPath, ['-e', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (c) => (out += c));
        child.on('error', reject);
        child.on('close', () => {
          try {
            resolve(JSON.parse(out.trim().split('\n').pop() ?? ''));
          } catch {
            reject(new Error(`no JSON from the SDK: ${out}`));
          }
        });
      });
    const refused = await run({ secretId: 'local', secretKey: 'local' }, 'sdk-wrong');
    expect(refused.ok).toBe(false);
    expect(refused.msg).toContain('签名校验失败');
    expect(stored('sdk-wrong')).toBeNull();
    expect(await run(emu.credentials, 'sdk-right')).toEqual({ ok: true });
    expect(stored('sdk-right')).toEqual({ _id: 'sdk-right' });
  });
});

describe('without dev mode, nobody can pick an identity and the dev surfaces do not exist', () => {
  let emu: Emulator;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tmp('sec-nodev-');
    emu = await startEmulator({
      functionsDir: FUNCTIONS,
      dataDir,
      port: 0,
      triggers: false,
      h5Dir: h5Dir(),
      log: () => undefined,
      // the account has a template, so only dev mode stands between a caller and a free grant
      subscribeTemplates: { TEMPLATE_LESSON_START: { keywords: ['thing1'] } },
    });
  });
  afterAll(() => emu?.close());

  const whoami = async (headers: Record<string, string>) => {
    const r = await fetch(`${emu.url}/api/functions/sample`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ action: 'whoami' }),
    });
    return ((await r.json()) as any).result.OPENID;
  };

  test('dev mode is off by default', () => {
    expect(emu.dev).toBe(false);
  });

  test('the dev sign-in, outbox, stats, triggers, faults and function list answer 404 in Chinese', async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['POST', '/api/dev/signin', { openid: 'oSecretary1' }],
      ['POST', '/api/dev/signin', { fresh: true }],
      ['GET', '/api/dev/whoami'],
      ['GET', '/api/dev/triggers'],
      ['POST', '/api/dev/triggers/sample/nightly'],
      ['POST', '/api/dev/faults', { fn: 'sample', fault: 'fail-op=1' }],
      ['POST', '/api/dev/subscribe', { tmplIds: ['TEMPLATE_LESSON_START'] }],
      ['GET', '/api/outbox'],
      ['DELETE', '/api/outbox'],
      ['GET', '/api/stats'],
      ['POST', '/api/stats/reset'],
      ['GET', '/api/functions'],
      ['GET', '/dev'],
    ];
    for (const [method, p, body] of routes) {
      const r = await fetch(`${emu.url}${p}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect({ route: `${method} ${p}`, status: r.status }).toEqual({ route: `${method} ${p}`, status: 404 });
      expect(r.headers.get('set-cookie')).toBeNull();
      expect(((await r.json()) as any).error.message).toMatch(HAN);
    }
    expect(emu.backend.store.count('sample_ticks', {})).toBe(0);
    // nobody can grant themselves a subscribe message outside dev mode
    expect(emu.backend.grants?.count('oSecretary1', 'TEMPLATE_LESSON_START')).toBe(0);
  });

  test('neither the x-wx-openid header nor a validly signed session cookie is an identity', async () => {
    const key = fs.readFileSync(path.join(dataDir, '.session-secret'));
    const mac = crypto.createHmac('sha256', key).update('oSecretary1').digest('base64url');
    expect(await whoami({ 'x-wx-openid': 'oMallory' })).toBe('');
    expect(await whoami({ cookie: `emu_session=${encodeURIComponent(`oSecretary1.${mac}`)}` })).toBe('');
  });

  test('the x-fault header does nothing', async () => {
    const r = await fetch(`${emu.url}/api/functions/sample`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-fault': 'fail-op=1' },
      body: JSON.stringify({ action: 'add', marker: 'faultless' }),
    });
    expect(r.status).toBe(200);
  });
});

describe('dev mode stays on this machine', () => {
  test('dev or test mode on a non-loopback address refuses to start, with a clear message', async () => {
    for (const opts of [{ dev: true, host: '0.0.0.0' }, { testIdentityHeader: true, host: '0.0.0.0' }, { dev: true, host: '::' }]) {
      const started = await startEmulator({ functionsDir: FUNCTIONS, dataDir: tmp('sec-host-'), port: 0, triggers: false, log: () => undefined, ...opts }).then(
        (emu) => emu,
        (e: Error) => e,
      );
      if (!(started instanceof Error)) await started.close();
      expect(started).toBeInstanceOf(Error);
      expect((started as Error).message).toMatch(/只能监听本机地址/);
    }
    // the CLI passes the same flags through
    expect(parseArgs(['--dev', '--host', '0.0.0.0'])).toMatchObject({ dev: true, host: '0.0.0.0' });
  });

  test('without dev mode it may listen on every interface: then nothing local-only is reachable', async () => {
    const emu = await startEmulator({ functionsDir: FUNCTIONS, dataDir: tmp('sec-any-'), port: 0, host: '0.0.0.0', triggers: false, log: () => undefined });
    try {
      expect(emu.dev).toBe(false);
      expect((await fetch(`${emu.url}/api/dev/signin`, { method: 'POST', body: '{"openid":"oSecretary1"}' })).status).toBe(404);
    } finally {
      await emu.close();
    }
  });

  test('a dev-mode request addressed to another host name (DNS rebinding) is refused', async () => {
    const emu = await startEmulator({ functionsDir: FUNCTIONS, dataDir: tmp('sec-rebind-'), port: 0, dev: true, triggers: false, log: () => undefined });
    const raw = (host: string) =>
      new Promise<{ status: number; body: any; cookie: unknown }>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: emu.port, path: '/api/dev/signin', method: 'POST', headers: { host, 'content-type': 'application/json' } },
          (res) => {
            let text = '';
            res.on('data', (c) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text), cookie: res.headers['set-cookie'] }));
          },
        );
        req.on('error', reject);
        req.end('{"openid":"oSecretary1"}');
      });
    try {
      const evil = await raw(`attacker.example:${emu.port}`);
      expect(evil.status).toBe(403);
      expect(evil.cookie).toBeUndefined();
      expect(evil.body.error.message).toMatch(HAN);
      expect((await raw(`localhost:${emu.port}`)).status).toBe(200);
      expect((await raw(`127.0.0.1:${emu.port}`)).status).toBe(200);
    } finally {
      await emu.close();
    }
  });
});

describe('gateway errors speak Chinese', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ functionsDir: FUNCTIONS, dataDir: tmp('sec-zh-'), port: 0, triggers: false, h5Dir: h5Dir(), log: () => undefined });
  });
  afterAll(() => emu?.close());

  test('unknown API route, missing asset, missing function, wrong method, bad JSON', async () => {
    const replies = [
      await fetch(`${emu.url}/api/nothing`),
      await fetch(`${emu.url}/assets/missing.js`),
      await fetch(`${emu.url}/api/functions/no-such-function`, { method: 'POST', body: '{}' }),
      await fetch(`${emu.url}/api/functions/sample`),
      await fetch(`${emu.url}/api/functions/sample`, { method: 'POST', body: '{"action":' }),
      await fetch(`${emu.url}/`, { method: 'PUT' }),
    ];
    for (const r of replies) {
      expect(r.status).toBeGreaterThanOrEqual(400);
      const body = (await r.json()) as any;
      expect(body.error.message).toMatch(HAN);
    }
  });
});
