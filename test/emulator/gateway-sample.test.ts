import fs from 'fs';
import os from 'os';
import path from 'path';
import { startEmulator, type Emulator } from '../../scripts/local-cloud';
import { clientAddress } from '../../emulator/server';

const FUNCTIONS = path.join(__dirname, '..', 'fixtures', 'functions');

function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

async function post(emu: Emulator, fn: string, event: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const r = await fetch(`${emu.url}/api/functions/${fn}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof event === 'string' ? event : JSON.stringify(event),
  });
  return { status: r.status, body: await r.json(), headers: r.headers };
}

describe('gateway in test mode: an ordinary wx-server-sdk function runs unmodified', () => {
  let emu: Emulator;
  const logs: string[] = [];
  const as = (openid: string) => ({ 'x-wx-openid': openid });

  beforeAll(async () => {
    emu = await startEmulator({
      functionsDir: FUNCTIONS,
      manifest: path.join(FUNCTIONS, 'cloudbaserc.json'),
      dataDir: tmpDir('gw-test-'),
      port: 0,
      testIdentityHeader: true,
      triggers: false,
      h5Dir: tmpDir('gw-noh5-'),
      log: (l) => logs.push(l),
      subscribeTemplates: { TEMPLATE_LESSON_START: { keywords: ['thing1'] } },
    });
  });
  afterAll(() => emu?.close());

  test('identity arrives through getWXContext() from the x-wx-openid header', async () => {
    const r = await post(emu, 'sample', { action: 'whoami' }, as('oAlice'));
    expect(r.status).toBe(200);
    expect(r.body.result).toMatchObject({ OPENID: 'oAlice', ENV: 'local-env', SOURCE: 'wx_client', userInfo: { openId: 'oAlice' } });
    expect(r.body.requestId).toBe(r.body.result.requestId);
    const anon = await post(emu, 'sample', { action: 'whoami' });
    expect(anon.body.result.OPENID).toBe('');
    expect(anon.body.result.userInfo).toBeNull();
  });

  test("getWXContext() has the caller's address as CLIENTIP, never one a header claims", async () => {
    const r = await post(emu, 'sample', { action: 'whoami' }, { ...as('oAlice'), 'x-forwarded-for': '203.0.113.7', 'x-real-ip': '203.0.113.8' });
    expect(r.body.result.CLIENTIP).toBe('127.0.0.1');
    // the call came over IPv4: no IPv6 address is invented
    expect(r.body.result.CLIENTIPV6).toBeUndefined();
    // a timer or another function is no client: no address
    const inner = await post(emu, 'sample', { action: 'call' }, as('oAlice'));
    expect(inner.body.result.inner.CLIENTIP).toBeUndefined();
  });

  test('clientAddress: IPv4, IPv4-mapped and IPv6 socket addresses', () => {
    expect(clientAddress('10.1.2.3')).toEqual({ CLIENTIP: '10.1.2.3' });
    expect(clientAddress('::ffff:10.1.2.3')).toEqual({ CLIENTIP: '10.1.2.3' });
    expect(clientAddress('2001:db8::5')).toEqual({ CLIENTIPV6: '2001:db8::5' });
    expect(clientAddress(undefined)).toEqual({});
  });

  test('database round trip with exact op counts per call', async () => {
    await emu.host.resetStats();
    const a = await post(emu, 'sample', { action: 'add', marker: 'a', n: 5, tag: 'ops' }, as('oBob'));
    const b = await post(emu, 'sample', { action: 'add', marker: 'b', n: 1, tag: 'ops' }, as('oBob'));
    expect(a.status).toBe(200);
    const [ida, idb] = [a.body.result._id, b.body.result._id];
    expect(typeof ida).toBe('string');

    const list = await post(emu, 'sample', { action: 'list', tag: 'ops' });
    expect(list.body.result.items).toEqual([
      { marker: 'a', n: 5 },
      { marker: 'b', n: 1 },
    ]);
    const inc = await post(emu, 'sample', { action: 'inc', id: ida, by: 2 });
    expect(inc.body.result.n).toBe(7);
    const move = await post(emu, 'sample', { action: 'move', from: ida, to: idb, amount: 3 });
    expect(move.body.result).toEqual({ moved: 3 });
    const group = await post(emu, 'sample', { action: 'group' });
    expect(group.body.result.groups).toEqual([{ _id: 'ops', total: 8, count: 2 }]);

    const stats = await (await fetch(`${emu.url}/api/stats?limit=10`)).json();
    const byId = new Map<string, any>(stats.recent.map((c: any) => [c.requestId, c]));
    expect(byId.get(a.body.requestId).ops).toMatchObject({ reads: 0, writes: 1, total: 1 });
    // the same counts travel with each reply, for benchmarks and tests that call over HTTP
    expect(JSON.parse(inc.headers.get('x-db-ops')!)).toEqual({ reads: 1, writes: 1, transactions: 0, total: 2 });
    expect(Number(inc.headers.get('x-duration-ms'))).toBeGreaterThan(0);
    expect(byId.get(list.body.requestId).ops).toMatchObject({ reads: 1, writes: 0 });
    expect(byId.get(inc.body.requestId).ops).toMatchObject({ reads: 1, writes: 1, total: 2 });
    expect(byId.get(move.body.requestId).ops).toMatchObject({
      reads: 1,
      writes: 2,
      transactions: 2,
      total: 5,
      byAction: {
        'database.startTransaction': 1,
        'database.getDocument': 1,
        'database.modifyDocument': 2,
        'database.commitTransaction': 1,
      },
    });
    expect(byId.get(group.body.requestId).ops.byAction).toEqual({ 'database.aggregateDocuments': 1 });
    expect(stats.functions.sample.calls).toBe(6);
    expect(stats.functions.sample.ops).toMatchObject({ reads: 4, writes: 5 });

    const reset = await fetch(`${emu.url}/api/stats/reset`, { method: 'POST' });
    expect(reset.status).toBe(200);
    expect((await (await fetch(`${emu.url}/api/stats`)).json()).recent).toEqual([]);
  });

  test('a rolled-back transaction and an { ok:false } result map to the product error convention', async () => {
    const a = await post(emu, 'sample', { action: 'add', marker: 'poor', n: 1, tag: 'tx' });
    const b = await post(emu, 'sample', { action: 'add', marker: 'rich', n: 0, tag: 'tx' });
    const r = await post(emu, 'sample', { action: 'move', from: a.body.result._id, to: b.body.result._id, amount: 5 });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ error: { code: 'FAILED_PRECONDITION', message: '余额不足' }, requestId: expect.any(String) });
    const list = await post(emu, 'sample', { action: 'list', tag: 'tx' });
    expect(list.body.result.items).toEqual([
      { marker: 'poor', n: 1 },
      { marker: 'rich', n: 0 },
    ]);
    // an error answer still carries what the call spent: the failed move read and wrote in its transaction
    expect(JSON.parse(r.headers.get('x-db-ops')!)).toMatchObject({ reads: 1, transactions: expect.any(Number) });
    expect(JSON.parse(r.headers.get('x-db-ops')!).total).toBeGreaterThanOrEqual(2);
    expect(r.headers.get('x-request-id')).toBe(r.body.requestId);
    const denied = await post(emu, 'sample', { action: 'deny' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('PERMISSION_DENIED');
    const unknown = await post(emu, 'sample', { action: 'nope' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('UNKNOWN_ACTION');
  });

  test('subscribe messages land in the outbox', async () => {
    await fetch(`${emu.url}/api/outbox`, { method: 'DELETE' });
    // no 允许 yet: WeChat refuses (43101), the function's send throws, and the outbox shows the refusal
    const refused = await post(emu, 'sample', { action: 'notify', text: '党课今晚开始' }, as('oCarol'));
    expect(refused.status).toBe(500);
    const none = await (await fetch(`${emu.url}/api/outbox`)).json();
    expect(none.messages).toMatchObject([{ openid: 'oCarol', refused: { errcode: 43101 } }]);
    await fetch(`${emu.url}/api/outbox`, { method: 'DELETE' });
    // the dev client's wx.requestSubscribeMessage: one accepted prompt, one message; an unknown id is refused
    const ask = (tmplIds: string[]) => fetch(`${emu.url}/api/dev/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json', ...as('oCarol') }, body: JSON.stringify({ tmplIds }) });
    expect((await ask(['TEMPLATE_NOT_MINE'])).status).toBe(400);
    const granted = await ask(['TEMPLATE_LESSON_START']);
    expect(await granted.json()).toEqual({ errMsg: 'requestSubscribeMessage:ok', TEMPLATE_LESSON_START: 'accept' });
    const r = await post(emu, 'sample', { action: 'notify', text: '党课今晚开始' }, as('oCarol'));
    expect(r.status).toBe(200);
    expect((await post(emu, 'sample', { action: 'notify', text: '党课今晚开始' }, as('oCarol'))).status).toBe(500);
    const box = await (await fetch(`${emu.url}/api/outbox`)).json();
    expect(box.messages).toHaveLength(2);
    expect(box.messages[1].refused).toMatchObject({ errcode: 43101 });
    expect(box.messages[0]).toMatchObject({
      openid: 'oCarol',
      templateId: 'TEMPLATE_LESSON_START',
      page: 'pages/index/index',
      data: { thing1: { value: '党课今晚开始' } },
    });
    await fetch(`${emu.url}/api/outbox`, { method: 'DELETE' });
    expect((await (await fetch(`${emu.url}/api/outbox`)).json()).messages).toEqual([]);
  });

  test('cloud.callFunction inside a function reaches the host with the caller identity', async () => {
    const r = await post(emu, 'sample', { action: 'call' }, as('oDan'));
    expect(r.status).toBe(200);
    // as on CloudBase, the called function's SOURCE records the hop (wx_client → wx_client,scf)
    expect(r.body.result.inner).toMatchObject({ OPENID: 'oDan', ENV: 'local-env', SOURCE: 'wx_client,scf' });
    expect(r.body.result.inner.requestId).not.toBe(r.body.requestId);
  });

  test('a timeout answers 504 DEADLINE_EXCEEDED and the function keeps working', async () => {
    const t0 = Date.now();
    const r = await post(emu, 'slow', { ms: 5000 });
    expect(r.status).toBe(504);
    expect(r.body.error).toEqual({ code: 'DEADLINE_EXCEEDED', message: '服务响应超时（云函数运行超过 1 秒），请稍后重试' });
    expect(Date.now() - t0).toBeLessThan(4000);
    const ok = await post(emu, 'slow', { ms: 10 });
    expect(ok.status).toBe(200);
    expect(ok.body.result).toEqual({ done: true });
  });

  test('a timeout or a crash after database requests still answers with x-db-ops and x-request-id', async () => {
    // the write landed, then the call hit its timeout
    const late = await post(emu, 'sample', { action: 'add', marker: 'late', n: 1, tag: 'cost' }, { 'x-fault': 'timeout-after-op=1' });
    expect(late.status).toBe(504);
    expect(JSON.parse(late.headers.get('x-db-ops')!)).toEqual({ reads: 0, writes: 1, transactions: 0, total: 1 });
    expect(late.headers.get('x-request-id')).toBe(late.body.requestId);
    // the write failed, the function threw: 500, and the one request it made is counted
    const threw = await post(emu, 'sample', { action: 'add', marker: 'gone', n: 1, tag: 'cost' }, { 'x-fault': 'fail-op=1' });
    expect(threw.status).toBe(500);
    expect(JSON.parse(threw.headers.get('x-db-ops')!)).toEqual({ reads: 0, writes: 1, transactions: 0, total: 1 });
    const boom = await post(emu, 'boom', {});
    expect(JSON.parse(boom.headers.get('x-db-ops')!)).toEqual({ reads: 0, writes: 0, transactions: 0, total: 0 });
    const slow = await post(emu, 'slow', { ms: 5000 });
    expect(slow.status).toBe(504);
    expect(JSON.parse(slow.headers.get('x-db-ops')!).total).toBe(0);
  });

  test('a throw answers 500 INTERNAL with a plain Chinese message and no stack; the error goes to the log', async () => {
    const r = await post(emu, 'boom', {});
    expect(r.status).toBe(500);
    expect(r.body.error).toEqual({ code: 'INTERNAL', message: '服务暂时出了点问题，请稍后重试' });
    expect(JSON.stringify(r.body)).not.toMatch(/ledger/);
    expect(JSON.stringify(r.body)).not.toMatch(/index\.js|\bat /);
    expect(logs.join('\n')).toMatch(/boom: the ledger is on fire[\s\S]*index\.js/);
  });

  test('malformed JSON → 400, oversize → 413, unknown function → 404, wrong method → 405', async () => {
    const bad = await post(emu, 'sample', '{"action": ');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_ARGUMENT');
    const arr = await post(emu, 'sample', '[1,2]');
    expect(arr.status).toBe(400);
    const big = await post(emu, 'sample', { action: 'whoami', pad: 'x'.repeat(100 * 1024) });
    expect(big.status).toBe(413);
    const justUnder = await post(emu, 'sample', { action: 'whoami', pad: 'x'.repeat(100 * 1024 - 40) });
    expect(justUnder.status).toBe(200);
    const missing = await post(emu, 'no-such-fn', {});
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: 'FUNCTION_NOT_FOUND', message: '找不到云函数 no-such-fn' });
    const traversal = await post(emu, '..%2Fsample', {});
    expect(traversal.status).toBe(404);
    const get = await fetch(`${emu.url}/api/functions/sample`);
    expect(get.status).toBe(405);
    // every gateway error speaks Chinese, like the functions' own
    for (const reply of [bad, arr, big, missing, { status: get.status, body: await get.json() }]) {
      expect(reply.body.error.message).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  test('without an H5 build, / explains how to build it', async () => {
    const r = await fetch(`${emu.url}/`);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('npm run build:h5');
  });
});

describe('gateway in dev mode without test mode', () => {
  let emu: Emulator;
  let h5: string;

  beforeAll(async () => {
    h5 = tmpDir('gw-h5-');
    fs.mkdirSync(path.join(h5, 'js'));
    fs.writeFileSync(path.join(h5, 'index.html'), '<!doctype html><title>app</title>');
    fs.writeFileSync(path.join(h5, 'js', 'app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(h5, 'style.css'), 'body{}');
    emu = await startEmulator({ functionsDir: FUNCTIONS, dataDir: tmpDir('gw-dev-'), port: 0, dev: true, triggers: false, h5Dir: h5, log: () => undefined });
  });
  afterAll(() => emu?.close());

  test('the x-wx-openid header is ignored', async () => {
    const r = await post(emu, 'sample', { action: 'whoami' }, { 'x-wx-openid': 'oMallory' });
    expect(r.status).toBe(200);
    expect(r.body.result.OPENID).toBe('');
  });

  test('dev sign-in sets a signed HttpOnly cookie that carries the identity', async () => {
    const r = await fetch(`${emu.url}/api/dev/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ openid: 'oSecretary1' }),
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ openid: 'oSecretary1' });
    const setCookie = r.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    const cookie = setCookie.split(';')[0];
    const who = await (await fetch(`${emu.url}/api/dev/whoami`, { headers: { cookie } })).json();
    expect(who.openid).toBe('oSecretary1');
    const call = await post(emu, 'sample', { action: 'whoami' }, { cookie });
    expect(call.body.result.OPENID).toBe('oSecretary1');

    // A forged cookie (other openid, same signature) is not accepted.
    const forged = cookie.replace('oSecretary1', 'oOrganiser1');
    const forgedCall = await post(emu, 'sample', { action: 'whoami' }, { cookie: forged });
    expect(forgedCall.body.result.OPENID).toBe('');

    const fresh = await (
      await fetch(`${emu.url}/api/dev/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"fresh":true}' })
    ).json();
    expect(fresh.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    const out = await fetch(`${emu.url}/api/dev/signout`, { method: 'POST', headers: { cookie } });
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    const bad = await fetch(`${emu.url}/api/dev/signin`, { method: 'POST', body: JSON.stringify({ openid: 'a b<' }) });
    expect(bad.status).toBe(400);
  });

  test('the dev page is Chinese and offers a fresh WeChat identity', async () => {
    const r = await fetch(`${emu.url}/dev`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    const html = await r.text();
    expect(html).toContain('以新微信用户身份进入');
    expect(html).toContain('lang="zh-CN"');
  });

  test('static H5 files with content types and SPA fallback', async () => {
    const js = await fetch(`${emu.url}/js/app.js`);
    expect(js.headers.get('content-type')).toMatch(/text\/javascript/);
    expect(await js.text()).toBe('console.log(1)');
    const css = await fetch(`${emu.url}/style.css`);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
    const deep = await fetch(`${emu.url}/pages/quiz/index?x=1`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<title>app</title>');
    const missingAsset = await fetch(`${emu.url}/js/missing.js`);
    expect(missingAsset.status).toBe(404);
    expect((await missingAsset.json()).error).toEqual({ code: 'NOT_FOUND', message: '找不到文件：/js/missing.js' });
    const noRoute = await fetch(`${emu.url}/api/nothing-here`);
    expect(noRoute.status).toBe(404);
    expect((await noRoute.json()).error).toEqual({ code: 'NOT_FOUND', message: '没有这个接口：GET /api/nothing-here' });
    const escape = await fetch(`${emu.url}/..%2f..%2fetc%2fpasswd`);
    expect(await escape.text()).not.toContain('root:');
  });
});
