import fs from 'fs';
import os from 'os';
import path from 'path';
import { createCloudBackend, type CloudBackend } from '../../emulator/admin';
import { decodePb, encodeCommApiData } from '../../emulator/admin/wire';

let dir: string;
let backend: CloudBackend;
const open = () => createCloudBackend({ dataDir: dir, publicUrl: () => 'http://127.0.0.1:1', subscribeTemplates: { T1: { keywords: ['thing1'] } } });
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pps-admin-'));
  backend = open();
});
afterEach(() => {
  backend.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const call = async (body: any) => (await backend.handleAdmin(body, { env: 'local-env' })).json;

describe('/admin dispatcher', () => {
  it('answers unknown actions and malformed queries with a clear error, never a stack', async () => {
    const r = await call({ action: 'database.dropEverything' });
    expect(r).toEqual({ code: 'INVALID_PARAM', message: expect.stringContaining('not supported by the local CloudBase emulator'), requestId: expect.any(String) });
    const bad = await call({ action: 'database.getDocument', collectionName: 'x', queryType: 'WHERE', query: '{"a":{"$nope":1}}' });
    expect(bad.code).toBe('DATABASE_REQUEST_FAILED');
    expect(bad.message).not.toMatch(/\n\s+at /);
  });

  it('clamps limit to 1000 and defaults it to 100', async () => {
    backend.store.insertMany('many', Array.from({ length: 1200 }, (_, i) => ({ _id: `d${String(i).padStart(4, '0')}` })));
    const dflt = await call({ action: 'database.getDocument', collectionName: 'many', queryType: 'WHERE' });
    expect(dflt.data.list).toHaveLength(100);
    const big = await call({ action: 'database.getDocument', collectionName: 'many', queryType: 'WHERE', limit: 5000 });
    expect(big.data.list).toHaveLength(1000);
  });

  it('refuses results over 1 MB', async () => {
    backend.store.insertMany('fat', Array.from({ length: 5 }, (_, i) => ({ _id: `f${i}`, s: 'x'.repeat(300_000) })));
    const r = await call({ action: 'database.getDocument', collectionName: 'fat', queryType: 'WHERE' });
    expect(r).toMatchObject({ code: 'DATABASE_REQUEST_FAILED', message: expect.stringContaining('1 MB') });
  });

  it('transactions: buffered writes, read-your-writes, another transaction fails at its write, a plain write waits for the commit', async () => {
    backend.store.insertOne('acc', { _id: 'a', n: 1 });
    const { transactionId } = await call({ action: 'database.startTransaction' });
    const inc = '{"$inc":{"n":{"$numberInt":"1"}}}';
    const upd = await call({ action: 'database.modifyDocument', transactionId, collectionName: 'acc', queryType: 'DOC', query: '{"_id":"a"}', data: inc, merge: true });
    expect(upd.data).toEqual({ updated: 1 });
    const seen = await call({ action: 'database.getDocument', transactionId, collectionName: 'acc', queryType: 'DOC', query: '{"_id":"a"}' });
    expect(seen.data.list).toEqual(['{"_id":"a","n":2}']);
    expect(backend.store.findOne('acc', 'a')!.n).toBe(1); // not applied yet
    // another transaction's write to the held document fails at that write
    const other = (await call({ action: 'database.startTransaction' })).transactionId;
    const clash = await call({ action: 'database.modifyDocument', transactionId: other, collectionName: 'acc', queryType: 'DOC', query: '{"_id":"a"}', data: inc, merge: true });
    expect(clash).toMatchObject({ code: 'DATABASE_TRANSACTION_CONFLICT', message: expect.stringContaining('TransactionBusy') });
    await call({ action: 'database.abortTransaction', transactionId: other });
    // a plain write waits for the lock, then applies on top of the committed value
    let plainDone = false;
    const plain = call({ action: 'database.modifyDocument', collectionName: 'acc', queryType: 'DOC', query: '{"_id":"a"}', data: '{"$set":{"n":{"$numberInt":"10"}}}', merge: true }).then((r) => {
      plainDone = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(plainDone).toBe(false);
    expect(await call({ action: 'database.commitTransaction', transactionId })).toEqual({ requestId: expect.any(String) });
    expect((await plain).data).toEqual({ updated: 1 });
    expect(backend.store.findOne('acc', 'a')!.n).toBe(10);

    const t2 = (await call({ action: 'database.startTransaction' })).transactionId;
    await call({ action: 'database.removeDocument', transactionId: t2, collectionName: 'acc', queryType: 'DOC', query: '{"_id":"a"}' });
    const where = await call({ action: 'database.getDocument', transactionId: t2, collectionName: 'acc', queryType: 'WHERE', query: '{"n":1}' });
    expect(where.code).toBe('INVALID_PARAM');
    expect(await call({ action: 'database.abortTransaction', transactionId: t2 })).toEqual({ requestId: expect.any(String) });
    expect(backend.store.findOne('acc', 'a')).not.toBeNull();
  });

  it('wx.openApi: decodes the multipart + protobuf request and records a durable outbox message', async () => {
    const requestData = encodeCommApiData({ appid: 'wxapp', params: { touser: 'o1', template_id: 'T1', page: 'p', data: { thing1: { value: 'x' } } } });
    const boundary = '----b0undary';
    const raw = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="action"\r\n\r\nwx.openApi\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="apiName"\r\n\r\nsubscribeMessage.send\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="requestData"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      requestData,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    backend.grants.accept('o1', ['T1']);
    const r = await backend.handleAdmin(raw, { env: 'e', contentType: `multipart/form-data; boundary=${boundary}` });
    expect(r.body).toBeInstanceOf(Buffer);
    const fields = decodePb(r.body!);
    const respData = fields.find((f) => f.no === 1)!.value as Buffer;
    expect(JSON.parse(respData.toString())).toMatchObject({ errcode: 0, errmsg: 'ok' });
    backend.close();
    backend = open();
    expect(backend.outbox.list()).toEqual([
      { id: 1, at: expect.any(Number), appid: 'wxapp', openid: 'o1', templateId: 'T1', page: 'p', data: { thing1: { value: 'x' } }, apiName: 'subscribeMessage.send' },
    ]);
    backend.outbox.clear();
    expect(backend.outbox.list()).toEqual([]);
  });

  it('functions.invokeFunction without a host answers a functions error', async () => {
    const r = await call({ action: 'functions.invokeFunction', function_name: 'x', request_data: '{}' });
    expect(r.code).toBe('FUNCTIONS_REQUEST_FAIL');
  });
});
