/**
 * The emulator against wx-server-sdk 4.0.2's wire contract:
 *  (a) every request body recorded from the real SDK (test/fixtures/…payloads.json) is replayed
 *      against handleAdmin and the answer, read the way the SDK reads it, must give the recorded
 *      user-visible result;
 *  (b) the real SDK runs in a child process against a server in front of the backend.
 */
import fs from 'fs';
import path from 'path';
import { EJSON } from 'bson';
import { DB_SCHEMA } from '../../core/db-schema';
import { startTestCloud, runSdkScript, type TestCloud } from './sdk-helpers';

const PAYLOADS = path.join(__dirname, '../fixtures/wx-server-sdk-4.0.2-payloads.json');
const reference: Record<string, { result: any; requests: { url: string; body: any }[] }> = JSON.parse(fs.readFileSync(PAYLOADS, 'utf8'));

/** What @cloudbase/database + wx-server-sdk turn a successful answer into (see their query.ts/document.ts/collection.ts). */
function sdkResult(body: any, json: any): any {
  if (json.code) return { thrown: true, code: json.code, message: json.message };
  const parseList = (l: string[]) => l.map((s) => EJSON.parse(s));
  switch (body.action) {
    case 'database.getDocument': {
      const data = parseList(json.data.list);
      if (body.queryType === 'DOC') return { data: data[0] ?? null, errMsg: 'document.get:ok' };
      return { data, errMsg: 'collection.get:ok' };
    }
    case 'database.insertDocument':
      return { _id: json.data.insertedIds[0], errMsg: 'collection.add:ok' };
    case 'database.modifyDocument':
      if (body.queryType === 'WHERE') return { stats: { updated: json.data.updated }, errMsg: 'collection.update:ok' };
      if (body.merge === false) {
        return { _id: JSON.parse(body.query)._id, errMsg: 'document.set:ok', stats: { updated: json.data.updated, created: json.data.upsert_id ? 1 : 0 } };
      }
      return { stats: { updated: json.data.updated }, errMsg: 'document.update:ok' };
    case 'database.removeDocument':
      return { stats: { removed: json.data.deleted }, errMsg: body.queryType === 'DOC' ? 'document.remove:ok' : 'collection.remove:ok' };
    case 'database.calculateDocument':
      return { total: json.data.total, errMsg: 'collection.count:ok' };
    case 'database.aggregateDocuments':
      return { list: parseList(json.data.list), errMsg: 'collection.aggregate:ok' };
    default:
      return json;
  }
}

describe('replay of recorded wx-server-sdk 4.0.2 requests', () => {
  let cloud: TestCloud;
  beforeEach(async () => {
    cloud = await startTestCloud();
  });
  afterEach(async () => {
    await cloud.stop();
  });

  async function replay(name: string): Promise<{ body: any; json: any }[]> {
    const out: { body: any; json: any }[] = [];
    let txId: string | undefined;
    for (const { url, body } of reference[name].requests) {
      const env = new URL(url, 'http://x').searchParams.get('env') ?? undefined;
      // The recording's transaction id was the recorder's; use the one this server handed out.
      const sent = body.transactionId && txId ? { ...body, transactionId: txId } : body;
      const r = await cloud.backend.handleAdmin(JSON.parse(JSON.stringify(sent)), { env });
      expect(r.status).toBe(200);
      if (r.json.transactionId) txId = r.json.transactionId;
      out.push({ body: sent, json: r.json });
    }
    return out;
  }

  it('covers every recorded case', () => {
    expect(Object.keys(reference).sort()).toEqual(
      ['add', 'aggregateGroup', 'count', 'docGet', 'docRemove', 'docSet', 'orRegex', 'runTransaction', 'updateInc', 'whereOrderLimitGet', 'whereUpdate'].sort(),
    );
  });

  it('whereOrderLimitGet: WHERE with $in/$gt date/$and, order, offset, limit, projection', async () => {
    const s = cloud.backend.store;
    const docs = [];
    for (let i = 1; i <= 7; i++) {
      docs.push({ _id: `doc${i}`, n: i, memberId: 'm1', status: i % 2 ? 'ok' : 'late', createdAt: new Date(Date.UTC(2024, 0, 2)), day: `2024-01-${String(10 + i).padStart(2, '0')}` });
    }
    docs.push({ _id: 'old', n: 0, memberId: 'm1', status: 'ok', createdAt: new Date(Date.UTC(2023, 0, 1)), day: '2024-01-30' });
    docs.push({ _id: 'other', n: 0, memberId: 'm2', status: 'ok', createdAt: new Date(Date.UTC(2024, 0, 5)), day: '2024-01-30' });
    s.insertMany('answers', docs);
    const [{ body, json }] = await replay('whereOrderLimitGet');
    const got = sdkResult(body, json);
    // Sorted by day desc, the 6th match (offset 5) is doc1; projection {day:1} keeps _id and day.
    // (The recording came from a stub that ignored projection, hence its extra `n`.)
    expect(got.errMsg).toBe(reference.whereOrderLimitGet.result.errMsg);
    expect(got.data.map((d: any) => d._id)).toEqual(['doc2', 'doc1']);
    expect(got.data[1]).toEqual({ _id: 'doc1', day: '2024-01-11' });
  });

  it.each(['add', 'updateInc', 'whereUpdate', 'docGet', 'count', 'docSet', 'docRemove', 'aggregateGroup', 'orRegex'])('%s', async (name) => {
    const s = cloud.backend.store;
    const expected = reference[name].result;
    switch (name) {
      case 'updateInc':
        s.insertMany('members', [{ _id: 'm1', points: 1, history: [], gone: true }]);
        break;
      case 'whereUpdate':
        s.insertMany('members', [{ _id: 'm1', points: -3 }, { _id: 'm2', points: 4 }]);
        break;
      case 'docGet':
        s.insertMany('members', [{ _id: 'm1', n: 1 }]);
        break;
      case 'count':
        s.insertMany('answers', Array.from({ length: 9 }, (_, i) => ({ _id: `c${i}`, day: i < 7 ? '2024-01-02' : '2024-01-03' })));
        break;
      case 'docSet':
      case 'docRemove':
        s.insertMany('members', [{ _id: 'm2', points: 5, other: 1 }]);
        break;
      case 'aggregateGroup':
        s.insertMany('answers', [
          { memberId: 'a', day: '2024-01-02', score: 1 },
          { memberId: 'a', day: '2024-01-03', score: 2 },
          { memberId: 'b', day: '2023-12-31', score: 9 },
        ]);
        break;
      case 'orRegex':
        s.insertMany('answers', [{ _id: 'doc1', n: 1, b: 'Xylophone' }, { _id: 'doc2', n: 2, b: 'yak' }]);
        break;
    }
    const answers = await replay(name);
    const { body, json } = answers[answers.length - 1];
    const got = sdkResult(body, json);
    switch (name) {
      case 'add':
        // The recorder's stub chose the id; ours is generated. Everything else must match.
        expect(got).toEqual({ ...expected, _id: expect.any(String) });
        {
          const doc = s.findOne('answers', got._id)!;
          expect(doc.score).toBe(3);
          expect(doc.at).toBeInstanceOf(Date);
          expect(doc.when).toEqual(new Date(1704164645000));
          expect(doc.tags).toEqual(['a']);
        }
        break;
      case 'docGet':
        // docGet reads members/m1; the recorder's stub answered with doc1's body.
        expect(got).toEqual({ ...expected, data: { ...expected.data, _id: 'm1' } });
        break;
      case 'aggregateGroup':
        expect(got.errMsg).toBe(expected.errMsg);
        expect(got.list).toEqual([{ _id: 'a', total: 3, n: 2 }]);
        break;
      case 'orRegex':
        // A document can only match through `a` or `b`, so it carries that field too.
        expect(got).toEqual({ ...expected, data: [{ ...expected.data[0], b: 'Xylophone' }] });
        break;
      default:
        expect(got).toEqual(expected);
    }
    if (name === 'updateInc') {
      expect(s.findOne('members', 'm1')).toEqual({ _id: 'm1', points: 6, history: ['x'], profile: { name: 'A' }, nested: { k: 1 } });
    }
    if (name === 'docSet') expect(s.findOne('members', 'm2')).toEqual({ _id: 'm2', points: 1 });
    if (name === 'docRemove') expect(s.findOne('members', 'm2')).toBeNull();
  });

  it('runTransaction: start, get, update, add, commit', async () => {
    const s = cloud.backend.store;
    s.insertMany('members', [{ _id: 'm1', n: 1, points: 0 }]);
    const answers = await replay('runTransaction');
    expect(answers.map((a) => a.json.code)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(answers[0].json.transactionId).toEqual(expect.any(String));
    const had = sdkResult(answers[1].body, answers[1].json).data;
    expect(had).toEqual({ _id: 'm1', n: 1, points: 0 });
    // The recorded callback returned { ok, had } with had = the document read: same shape here.
    expect(Object.keys({ ok: true, had })).toEqual(Object.keys(reference.runTransaction.result));
    expect(s.findOne('members', 'm1')!.points).toBe(1);
    expect(s.find('answers', { memberId: 'm1' })).toHaveLength(1);
  });
});

describe('the real wx-server-sdk 4.0.2 against the emulator', () => {
  let cloud: TestCloud;
  let out: any;
  const calls: { name: string; event: unknown }[] = [];

  beforeAll(async () => {
    cloud = await startTestCloud({
      strict: true,
      schema: { ...DB_SCHEMA, quiz_answers: { description: 'test', indexes: [{ name: 'member_day', keys: { memberId: 1, day: -1 } }] } },
      invokeFunction: async (name, event) => {
        calls.push({ name, event });
        return { echoed: event };
      },
      subscribeTemplates: { TPL_LESSON: { keywords: ['thing1', 'time2'] } },
    });
    // openid-1 tapped 允许 once: one message of TPL_LESSON, which the first valid send spends
    cloud.backend.grants.accept('openid-1', ['TPL_LESSON']);
    out = await runSdkScript(path.join(__dirname, '../fixtures/sdk-client.js'), cloud);
  });
  afterAll(async () => {
    await cloud.stop();
  });

  it('signs every request the way /admin verifies the signature (database, storage, open API, functions)', () => {
    expect(out.fatal).toBeUndefined();
    expect(cloud.refused).toEqual([]);
  });

  it('adds single documents, with serverDate and Date round-tripping', () => {
    expect(out.fatal).toBeUndefined();
    expect(out.add).toEqual({ _id: expect.any(String), errMsg: 'collection.add:ok' });
    expect(out.addMany.map((r: any) => r._id)).toEqual(['a2', 'a3', 'a4']);
    expect(out.dupId).toMatchObject({ thrown: true, errCode: -502001 });
    expect(out.dupId.errMsg).toContain('E11000 duplicate key');
    const first = out.whereOrder.data.find((d: any) => d.name === 'Xiao');
    expect(first.when).toBe('2024-01-02T03:04:05.000Z');
    expect(Math.abs(Date.parse(first.at) - Date.now())).toBeLessThan(120_000);
  });

  it('where / orderBy / skip / limit / field', () => {
    expect(out.whereOrder.data.map((d: any) => d.day)).toEqual(['2024-01-03', '2024-01-02']);
    expect(out.skipLimitField).toEqual({
      data: [
        { _id: 'a2', day: '2024-01-03', score: 5 },
        { _id: 'a3', day: '2024-01-03', score: 1 },
      ],
      errMsg: 'collection.get:ok',
    });
  });

  it('every query command operator', () => {
    const id = out.add._id;
    expect(out.ops).toEqual({
      eq: ['a2'],
      neq: ['a3', 'a4'],
      gt: ['a2', 'a4'],
      gte: ['a2', 'a4', id].sort(),
      lt: ['a3'],
      lte: ['a3', id].sort(),
      in: ['a2', 'a3', 'a4'],
      nin: [id],
      and: ['a4', id].sort(),
      or: ['a2', 'a4'],
      exists: ['a4'],
      regexp: ['a2', id].sort(),
      arrayEq: ['a2', id].sort(),
      date: [id],
    });
  });

  it('count and aggregate group', () => {
    expect(out.count).toEqual({ total: 2, errMsg: 'collection.count:ok' });
    expect(out.agg).toEqual({
      list: [
        { _id: 'm1', total: 8, n: 2 },
        { _id: 'm2', total: 5, n: 2 },
      ],
      errMsg: 'collection.aggregate:ok',
    });
  });

  it('doc set / update operators / get / remove, unique index, strict mode', () => {
    expect(out.set).toEqual({ _id: 'm1', errMsg: 'document.set:ok', stats: { updated: 0, created: 1 } });
    expect(out.update).toEqual({ stats: { updated: 1 }, errMsg: 'document.update:ok' });
    expect(out.get.data).toEqual({
      _id: 'm1', name: 'A', points: 6, history: ['h2'], tags: ['x', 'y'], phone: '13800000001', profile: { city: 'Zhengzhou' }, nested: { k: 1 },
    });
    expect(out.getMissing).toMatchObject({ thrown: true });
    expect(out.getMissing.errMsg).toContain('does not exist');
    expect(out.dupPhone.errCode).toBe(-502001);
    expect(out.dupPhone.errMsg).toContain('phone_unique');
    expect(out.whereUpdate).toEqual({ stats: { updated: 1 }, errMsg: 'collection.update:ok' });
    expect(out.notExist).toMatchObject({ thrown: true, errCode: -502005 });
    expect(out.remove).toEqual({ stats: { removed: 1 }, errMsg: 'document.remove:ok' });
    expect(out.whereRemove).toEqual({ stats: { removed: 2 }, errMsg: 'collection.remove:ok' });
    expect(cloud.backend.store.findOne('org_members', 'm1')).toBeNull();
  });

  it('db.createCollection makes a collection that strict mode then accepts; creating an existing one fails', () => {
    expect(out.createCollection).toEqual({ errMsg: 'createCollection:ok', requestId: expect.any(String) });
    expect(out.createdAdd).toEqual({ _id: 'r1', errMsg: 'collection.add:ok' });
    // wx-server-sdk's createCollection wraps the platform's error without mapping its code: errCode -1
    expect(out.createExisting).toEqual({ thrown: true, errCode: -1, errMsg: 'createCollection:fail collection already exists: made_at_runtime' });
    expect(out.createDeclared).toEqual({ thrown: true, errCode: -1, errMsg: 'createCollection:fail collection already exists: quiz_answers' });
  });

  it('addToSet({ each }) adds each element once; push({ each, position, sort, slice }) applies every option', () => {
    expect(out.addToSetEach).toEqual({ stats: { updated: 1 }, errMsg: 'document.update:ok' });
    expect(out.addToSetDollarEach).toEqual({ stats: { updated: 1 }, errMsg: 'document.update:ok' });
    // every element already there: nothing changes
    expect(out.addToSetEachAgain).toEqual({ stats: { updated: 0 }, errMsg: 'document.update:ok' });
    expect(out.pushSortSlice).toEqual({ stats: { updated: 1 }, errMsg: 'document.update:ok' });
    expect(out.pushPosition).toEqual({ stats: { updated: 1 }, errMsg: 'document.update:ok' });
    expect(out.arrays).toEqual({ _id: 'arr', tags: ['a', 'b', 'c', 'd'], scores: [9, 5, 3], log: ['w', 'v', 'x'] });
  });

  it('runTransaction commits and rolls back; a write to a document another transaction holds fails at that write, unretried', () => {
    expect(out.tx).toEqual({ ok: true, points: 6 });
    expect(cloud.backend.store.findOne('quiz_answers', 'txa')).toEqual({ _id: 'txa', memberId: 'm1' });
    // bump(40) writes first and holds the lock; bump(150)'s write fails there, as production answers it
    const [slow, fast] = out.concurrent;
    expect(fast).toBe(0);
    expect(slow).toMatchObject({ thrown: true, errCode: -501001 });
    expect(slow.errMsg).toContain('document.update:fail -501001');
    expect(slow.errMsg).toContain('[ResourceUnavailable.TransactionBusy] Transaction is busy.');
    // no retry: wx-server-sdk's errCode error has no `code`, @cloudbase/database retries only on code
    expect(out.attempts).toBe(2);
    expect(out.counter.data.n).toBe(1);
    expect(out.rollback).toMatchObject({ thrown: true, errMsg: 'nope' });
    expect(out.counterAfterRollback.data.n).toBe(1);
  });

  it('a transaction reads its snapshot, its write to a document changed since fails, and plain writes wait for its lock', () => {
    expect(out.snapshotRead).toBe(0);
    expect(out.staleWrite).toMatchObject({ thrown: true, errCode: -501001 });
    expect(out.lockOrder).toEqual(['commit', 'plain']);
    expect(out.lockme.data.v).toBe(11);
    // a finished transaction: production's TransactionNotExist, untouched by the SDK (commit passes errors through)
    expect(out.commitTwice).toMatchObject({ thrown: true });
    expect(out.commitTwice.errMsg).toContain('TransactionNotExist');
  });

  it('uploadFile / downloadFile / getTempFileURL / deleteFile', () => {
    expect(out.upload).toMatchObject({ fileID: 'cloud://local-env.local-bucket/docs/学习 记录.txt', errMsg: 'uploadFile:ok' });
    expect(out.download).toEqual({ statusCode: 200, text: '你好, storage' });
    expect(out.tempUrl.fileList[0]).toMatchObject({ status: 0, errMsg: 'ok' });
    expect(out.tempUrl.fileList[0].tempFileURL).toContain('/storage/file/local-env/docs/');
    expect(out.tempUrl.fileList[1]).toMatchObject({ status: -503003, tempFileURL: '' });
    expect(out.del.fileList).toEqual([{ fileID: out.upload.fileID, status: 0, errMsg: 'ok' }]);
    expect(out.downloadAfterDelete).toMatchObject({ thrown: true });
    expect(fs.existsSync(path.join(cloud.dataDir, 'storage', 'local-env', 'docs', '学习 记录.txt'))).toBe(false);
  });

  it('subscribeMessage.send lands in the durable outbox', () => {
    expect(out.subscribe).toMatchObject({ errCode: 0, errMsg: 'openapi.subscribeMessage.send:ok' });
    const [msg] = cloud.backend.outbox.list();
    expect(msg).toMatchObject({
      openid: 'openid-1',
      templateId: 'TPL_LESSON',
      page: 'pages/live/index?id=1',
      data: { thing1: { value: '主题党日' }, time2: { value: '2024年7月1日 09:00' } },
      miniprogramState: 'developer',
      apiName: 'subscribeMessage.send',
    });
    expect(typeof msg.at).toBe('number');
    expect(msg.refused).toBeUndefined();
  });

  it('subscribeMessage.send refuses a value breaking its keyword rule with 47003, and the outbox shows the refusal', () => {
    expect(out.subscribeBadTime).toMatchObject({ thrown: true, errCode: 47003 });
    const refused = cloud.backend.outbox.list().filter((m) => m.refused?.errmsg.includes('data.time2.value invalid'));
    expect(refused).toHaveLength(1);
    expect(refused[0].refused).toEqual({ errcode: 47003, errmsg: 'argument invalid! data.time2.value invalid' });
  });

  it('subscribeMessage.send refuses an unknown template (40037), a missing keyword (47003) and a send with no grant left (43101)', () => {
    expect(out.subscribeUnknownTemplate).toMatchObject({ thrown: true, errCode: 40037 });
    expect(out.subscribeMissingKeyword).toMatchObject({ thrown: true, errCode: 47003 });
    expect(out.subscribeMissingKeyword.errMsg).toContain('data.time2.value is empty');
    // the one grant went to the first send; refusals do not spend it
    expect(out.subscribeNoGrant).toMatchObject({ thrown: true, errCode: 43101 });
    expect(cloud.backend.grants.count('openid-1', 'TPL_LESSON')).toBe(0);
    const refusals = cloud.backend.outbox.list().flatMap((m) => (m.refused ? [m.refused.errcode] : []));
    expect(refusals.sort()).toEqual([40037, 43101, 47003, 47003]);
    expect(() => cloud.backend.grants.accept('openid-1', ['TPL_NOPE'])).toThrow(/verify the template id exist/);
  });

  it('cloud.callFunction reaches invokeFunction', () => {
    expect(out.callFunction).toMatchObject({ result: { echoed: { x: 1 } }, errMsg: 'callFunction:ok' });
    expect(calls).toEqual([{ name: 'echo', event: { x: 1 } }]);
  });
});

/**
 * wx-server-sdk 2.6.x, the line many public CloudBase functions still pin, runs the same client
 * unchanged and sees what 4.0.2 sees, except where the two SDK lines themselves differ (listed).
 */
describe('the same client on wx-server-sdk 2.6.3 (the older SDK line)', () => {
  const setUp = () =>
    startTestCloud({
      strict: true,
      schema: { ...DB_SCHEMA, quiz_answers: { description: 'test', indexes: [{ name: 'member_day', keys: { memberId: 1, day: -1 } }] } },
      invokeFunction: async (_name, event) => ({ echoed: event }),
      subscribeTemplates: { TPL_LESSON: { keywords: ['thing1', 'time2'] } },
    });
  const runs: Record<string, any> = {};

  beforeAll(async () => {
    for (const [line, mod] of [['4.0.2', undefined], ['2.6.3', 'wx-server-sdk-v2']] as const) {
      const c = await setUp();
      c.backend.grants.accept('openid-1', ['TPL_LESSON']);
      try {
        runs[line] = await runSdkScript(path.join(__dirname, '../fixtures/sdk-client.js'), c, 60_000, mod);
      } finally {
        await c.stop();
      }
    }
  });

  /** ids the emulator makes up, clocks, ports and signatures differ from run to run */
  const norm = (v: unknown) =>
    JSON.stringify(v ?? null)
      .replace(/[0-9a-f]{32}/g, '<id>')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>')
      .replace(/"(requestId|requestID)":"[^"]*"/g, '"$1":"<r>"')
      .replace(/"msgid":\d+/g, '"msgid":"<n>"')
      .replace(/http:\/\/127\.0\.0\.1:\d+(\/[^"?]*)\?[^"]*/g, 'http://<emulator>$1?<signed>');

  /** Where the SDK lines themselves differ: 2.6.x passes the platform's code on, 4.0.2 answers -1. */
  const PLATFORM_CODE_IN_2_6 = { createExisting: -502001, createDeclared: -502001, downloadAfterDelete: -503003 } as const;

  it('runs the whole client: every call answers as on 4.0.2', () => {
    expect(runs['2.6.3'].fatal).toBeUndefined();
    expect(Object.keys(runs['2.6.3']).sort()).toEqual(Object.keys(runs['4.0.2']).sort());
    // `ops` lists matching ids in _id order, and a made-up id may sort before or after the given ones
    const sortedIds = (ops: Record<string, string[]>) => Object.fromEntries(Object.entries(ops).map(([op, ids]) => [op, ids.map((i) => (/^[0-9a-f]{32}$/.test(i) ? '<id>' : i)).sort()]));
    expect(sortedIds(runs['2.6.3'].ops)).toEqual(sortedIds(runs['4.0.2'].ops));
    const differ = Object.keys(runs['4.0.2']).filter((k) => k !== 'ops' && !(k in PLATFORM_CODE_IN_2_6) && norm(runs['4.0.2'][k]) !== norm(runs['2.6.3'][k]));
    expect(differ).toEqual([]);
  });

  it("uploads through COS's POST form (2.6.x) and reads back the same bytes", () => {
    expect(runs['2.6.3'].upload.fileID).toBe(runs['4.0.2'].upload.fileID);
    expect(runs['2.6.3'].download).toEqual({ statusCode: 200, text: '你好, storage' });
  });

  it("reports the platform's error code where 4.0.2 reports -1, with the same message", () => {
    for (const [k, code] of Object.entries(PLATFORM_CODE_IN_2_6)) {
      expect(runs['4.0.2'][k]).toMatchObject({ thrown: true, errCode: -1 });
      expect(runs['2.6.3'][k]).toMatchObject({ thrown: true, errCode: code });
      const tail = String(runs['4.0.2'][k].errMsg).split(':fail ')[1];
      expect(runs['2.6.3'][k].errMsg).toContain(tail);
    }
  });
});
