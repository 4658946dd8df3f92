import fs from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';
import type { AddressInfo } from 'net';
import { FunctionConfigError, FunctionHost, HostError, readFunctionConfig } from '../../emulator/host';

const FUNCTIONS = path.join(__dirname, '..', 'fixtures', 'functions');
const MANIFEST = path.join(FUNCTIONS, 'cloudbaserc.json');

describe('function host (no server: functions that make no DB calls)', () => {
  let host: FunctionHost;
  const savedCtx = process.env.NODE_TEST_CONTEXT;

  beforeAll(() => {
    process.env.NODE_TEST_CONTEXT = 'child-v8';
    host = new FunctionHost({ functionsDir: FUNCTIONS, manifest: MANIFEST, adminUrl: (id) => `http://127.0.0.1:9/admin/i/${id}`, pool: 2, log: () => undefined });
  });
  afterAll(async () => {
    if (savedCtx === undefined) delete process.env.NODE_TEST_CONTEXT;
    else process.env.NODE_TEST_CONTEXT = savedCtx;
    await host.close();
  });

  test('discovers fixture functions: config.json for permissions and the trigger, the manifest for timeout and memory', () => {
    expect(host.list().map((f) => f.name).sort()).toEqual(['boom', 'sample', 'slow', 'ticker', 'warm']);
    expect(host.get('slow')!.config).toMatchObject({ timeout: 1, memorySize: 128 });
    expect(host.get('sample')!.config.permissions.openapi).toEqual(['subscribeMessage.send']);
    // not set in the manifest: CloudBase's defaults
    expect(host.get('boom')!.config).toMatchObject({ timeout: 3, memorySize: 256, env: {} });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    expect(readFunctionConfig(dir)).toEqual({ timeout: 3, memorySize: 256, env: {}, permissions: { openapi: [] }, triggers: [] });
  });

  test('refuses what CloudBase ignores or refuses in config.json: a timeout there, two timer triggers, unknown keys', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const refused = (json: object) => {
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(json));
      try {
        readFunctionConfig(dir);
      } catch (e) {
        expect(e).toBeInstanceOf(FunctionConfigError);
        return (e as FunctionConfigError).problems.join('\n');
      }
      return 'accepted';
    };
    expect(refused({ timeout: 20 })).toContain('"timeout"');
    expect(refused({ triggers: [{ name: 'a', type: 'timer', config: '0 * * * * * *' }, { name: 'b', type: 'timer', config: '30 * * * * * *' }] })).toContain(
      '只能有一个定时触发器',
    );
    expect(refused({ permissions: { openapi: ['subscribeMessage.send'], cloudbase: true } })).toContain('permissions.cloudbase');
    expect(refused({ permissions: { openapi: ['subscribeMessage.send'] }, triggers: [{ name: 'tick', type: 'timer', config: '0 * * * * * *' }] })).toBe('accepted');
  });

  test('an instance is warm: module state survives, one instance serves sequential calls', async () => {
    const a = await host.invoke('warm', {}, { OPENID: 'o1' });
    const b = await host.invoke('warm', {}, { OPENID: 'o2' });
    expect(b.result).toMatchObject({ threadId: (a.result as any).threadId, calls: (a.result as any).calls + 1 });
    expect(host.instanceCount('warm')).toBe(1);
    expect(b.result).toMatchObject({ openidBefore: 'o2', contextKeys: 'WX_OPENID,WX_APPID,WX_UNIONID,WX_SOURCE,WX_CLIENTIP,WX_CLIENTIPV6' });
    expect((b.result as any).tcb.URL).toMatch(/^http:\/\/127\.0\.0\.1:9\/admin\/i\/warm-\d+-[0-9a-f]+$/);
  });

  test('NODE_PATH holds the function\'s own folder, as SCF sets it: a bare require finds a file there', async () => {
    const r = await host.invoke('warm', { bareRequire: true }, {});
    expect((r.result as any).fromOwnFolder).toBe('found through NODE_PATH');
  });

  test('NODE_TEST_CONTEXT never reaches a function', async () => {
    const r = await host.invoke('warm', {}, {});
    expect((r.result as any).nodeTestContext).toBeNull();
  });

  test('concurrent calls: at most `pool` instances, each with its own identity', async () => {
    const t0 = Date.now();
    const calls = ['oA', 'oB', 'oC', 'oD'].map((o) => host.invoke('warm', { sleepMs: 300 }, { OPENID: o }));
    const results = await Promise.all(calls);
    const elapsed = Date.now() - t0;
    expect(host.instanceCount('warm')).toBe(2);
    results.forEach((r, i) => {
      expect((r.result as any).openidBefore).toBe(['oA', 'oB', 'oC', 'oD'][i]);
      expect((r.result as any).openidAfter).toBe(['oA', 'oB', 'oC', 'oD'][i]);
    });
    // two rounds of 300 ms on two instances
    expect(elapsed).toBeGreaterThanOrEqual(590);
    expect(new Set(results.map((r) => (r.result as any).threadId)).size).toBe(2);
  });

  test('timeout terminates the instance and a fresh one serves the next call', async () => {
    const first = await host.invoke('slow', { ms: 1 });
    await expect(host.invoke('slow', { ms: 3000 })).rejects.toMatchObject({
      code: 'DEADLINE_EXCEEDED',
      message: 'Invoking task timed out after 1 seconds',
    });
    const again = await host.invoke('slow', { ms: 1 });
    expect(again.result).toEqual({ done: true });
    expect(again.requestId).not.toBe(first.requestId);
    expect(host.stats().functions.slow).toMatchObject({ calls: 3, timeouts: 1 });
  });

  test('unknown functions and bad names are FUNCTION_NOT_FOUND', async () => {
    await expect(host.invoke('nope', {})).rejects.toBeInstanceOf(HostError);
    await expect(host.invoke('../sample', {})).rejects.toMatchObject({ code: 'FUNCTION_NOT_FOUND' });
  });
});

describe('op counting attributes admin requests to the call in flight on that instance', () => {
  test('requests to /admin/i/<instance> are counted against the running call', async () => {
    let host!: FunctionHost;
    // A minimal admin endpoint: counts come from the host, answers are what the SDK expects for add().
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const id = /\/admin\/i\/([^?]+)/.exec(req.url ?? '')![1];
        host.recordAdminRequest(id, JSON.parse(body).action);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ requestId: 'r', data: { _id: 'id1', insertedIds: ['id1'] } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    host = new FunctionHost({ functionsDir: FUNCTIONS, manifest: MANIFEST, adminUrl: (id) => `http://127.0.0.1:${port}/admin/i/${id}`, log: () => undefined });
    try {
      const [a, b] = await Promise.all([
        host.invoke('sample', { action: 'add', marker: 'x' }, { OPENID: 'o1' }),
        host.invoke('sample', { action: 'whoami' }, { OPENID: 'o2' }),
      ]);
      expect(a.result).toEqual({ _id: 'id1' });
      expect(a.ops).toEqual({ reads: 0, writes: 1, transactions: 0, total: 1, byAction: { 'database.insertDocument': 1 } });
      expect(b.ops.total).toBe(0);
    } finally {
      await host.close();
      server.close();
    }
  });
});
