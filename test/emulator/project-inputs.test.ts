/**
 * What a project hands the generic emulator: its database file (collections and indexes, in the
 * CloudBase Framework database plugin's form), its seeder and its gateway error convention. Without
 * them the emulator behaves like a bare CloudBase environment.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { readDatabaseFile, schemaFromFile, type DatabaseFile } from '../../emulator/db/schema';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/server';

const FUNCTIONS = path.join(__dirname, '..', 'fixtures', 'functions');
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

const FILE: DatabaseFile = {
  collections: [
    {
      collectionName: 'sample_items',
      description: 'what the sample function writes',
      aclTag: 'ADMINONLY',
      createIndexes: [
        { name: 'marker_unique', unique: true, keys: [{ name: 'marker', direction: '1' }] },
        { name: 'tag_n', unique: false, keys: [{ name: 'tag', direction: '1' }, { name: 'n', direction: '-1' }] },
      ],
    },
    { collectionName: 'sample_ticks', description: 'timer ticks', aclTag: 'ADMINONLY', createIndexes: [] },
  ],
};

function start(opts: Partial<EmulatorOptions>): Promise<Emulator> {
  return startEmulator({ functionsDir: FUNCTIONS, dataDir: tmp('emu-inputs-'), port: 0, testIdentityHeader: true, triggers: false, h5Dir: tmp('emu-noh5-'), log: () => undefined, ...opts });
}

async function post(emu: Emulator, event: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${emu.url}/api/functions/sample`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-wx-openid': 'oAlice' }, body: JSON.stringify(event) });
  return { status: r.status, body: await r.json() };
}

describe('the database file', () => {
  test('becomes the store schema: directions as numbers, unique only where declared', () => {
    expect(schemaFromFile(FILE)).toEqual({
      sample_items: {
        description: 'what the sample function writes',
        indexes: [
          { name: 'marker_unique', keys: { marker: 1 }, unique: true },
          { name: 'tag_n', keys: { tag: 1, n: -1 } },
        ],
      },
      sample_ticks: { description: 'timer ticks', indexes: [] },
    });
  });

  test('anything the emulator cannot honour exactly is refused when read, with where it is', () => {
    const bad = (collections: unknown[]) => () => schemaFromFile({ collections }, 'db.json');
    expect(() => schemaFromFile({ tables: [] }, 'db.json')).toThrow('db.json: top level');
    expect(bad([{ collectionName: 'a b' }])).toThrow(/collectionName "a b"/);
    expect(bad([{ collectionName: 'x' }, { collectionName: 'x' }])).toThrow('db.json: x: listed twice');
    expect(bad([{ collectionName: 'x', aclTag: 'EVERYONE' }])).toThrow(/aclTag must be one of/);
    expect(bad([{ collectionName: 'x', createIndexes: [{ name: 'geo', keys: [{ name: 'at', direction: '2dsphere' }] }] }])).toThrow(
      /x\.createIndexes\[0\]: direction "2dsphere" of at/,
    );
    expect(bad([{ collectionName: 'x', createIndexes: [{ name: 'i', keys: [] }] }])).toThrow(/needs at least one key/);
    expect(bad([{ collectionName: 'x', createIndexes: [{ name: 'i', keys: [{ name: 'a', direction: '1' }] }, { name: 'i', keys: [{ name: 'b', direction: '1' }] }] }])).toThrow(
      /index i listed twice/,
    );
    const dir = tmp('emu-dbfile-');
    fs.writeFileSync(path.join(dir, 'database.json'), '{ "collections": [');
    expect(() => readDatabaseFile(path.join(dir, 'database.json'))).toThrow(/cannot read the database file/);
  });

  test('handed to the emulator (as a path), its collections exist, unique indexes hold and strict mode refuses others', async () => {
    const dir = tmp('emu-dbfile-');
    const file = path.join(dir, 'database.json');
    fs.writeFileSync(file, JSON.stringify(FILE));
    const emu = await start({ database: file, strict: true });
    try {
      expect(emu.backend.store.listCollections()).toEqual(['sample_items', 'sample_ticks']);
      expect((await post(emu, { action: 'add', marker: 'm1', n: 1 })).status).toBe(200);
      const again = await post(emu, { action: 'add', marker: 'm1', n: 2 });
      expect(again.status).toBe(500);
      expect(emu.backend.store.count('sample_items', {})).toBe(1);
      expect(() => emu.backend.store.find('sample_other')).toThrow(expect.objectContaining({ code: 'DATABASE_COLLECTION_NOT_EXIST' }));
    } finally {
      await emu.close();
    }
  });

  test('without one, no collection exists up front and nothing is unique', async () => {
    const emu = await start({});
    try {
      expect(emu.backend.store.listCollections()).toEqual([]);
      await post(emu, { action: 'add', marker: 'm1', n: 1 });
      expect((await post(emu, { action: 'add', marker: 'm1', n: 2 })).status).toBe(200);
      expect(emu.backend.store.count('sample_items', {})).toBe(2);
    } finally {
      await emu.close();
    }
  });
});

describe('the gateway error convention', () => {
  test("by default a function's result comes back as it is, errors-as-values included, like callFunction", async () => {
    const emu = await start({});
    try {
      const r = await post(emu, { action: 'deny' });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ result: { ok: false, error: { code: 'PERMISSION_DENIED', message: '没有权限' } }, requestId: expect.any(String) });
    } finally {
      await emu.close();
    }
  });

  test("a project's hook maps the results it calls errors to an HTTP error; others stay 200", async () => {
    const seen: unknown[] = [];
    const emu = await start({
      gatewayError: (result) => {
        seen.push(result);
        const r = result as { ok?: boolean; error?: { code: string; message: string } };
        return r.ok === false && r.error ? { status: r.error.code === 'PERMISSION_DENIED' ? 403 : 400, error: { ...r.error, details: { hook: true } } } : undefined;
      },
    });
    try {
      const denied = await post(emu, { action: 'deny' });
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual({ error: { code: 'PERMISSION_DENIED', message: '没有权限', details: { hook: true } }, requestId: expect.any(String) });
      const ok = await post(emu, { action: 'whoami' });
      expect(ok.status).toBe(200);
      expect(ok.body.result.OPENID).toBe('oAlice');
      expect(seen).toHaveLength(2);
    } finally {
      await emu.close();
    }
  });
});

describe('the seeder', () => {
  test('is asked for a data set only on an empty store, and its people are offered on the dev page, grouped in order', async () => {
    const dataDir = tmp('emu-seed-');
    const calls: string[] = [];
    const seeder = {
      seed: (store: any, name: string) => {
        calls.push(name);
        store.insertOne('sample_items', { _id: 'seeded', marker: 'seeded', n: 1 });
        return 'one item';
      },
      users: () => [
        { openid: 'oLead', name: '组长甲', group: '组长', detail: '第一组' },
        { openid: 'oOld', name: '老王', group: '组员', detail: '第一组', badge: '大字模式', highlight: true },
        { openid: 'oLead2', name: '组长乙', group: '组长' },
      ],
      tips: () => ['试试邀请码 ABCD'],
    };
    const logs: string[] = [];
    let emu = await startEmulator({ functionsDir: FUNCTIONS, dataDir, port: 0, dev: true, triggers: false, seed: 'small', seeder, appName: '示例应用', log: (l) => logs.push(l) });
    try {
      expect(calls).toEqual(['small']);
      expect(logs).toContain('[seed] small: one item');
      const html = await (await fetch(`${emu.url}/dev`)).text();
      expect(html).toContain('<title>本地登录 · 示例应用</title>');
      expect(html.indexOf('<h2>组长（2）</h2>')).toBeGreaterThan(-1);
      expect(html.indexOf('<h2>组长（2）</h2>')).toBeLessThan(html.indexOf('<h2>组员（1）</h2>'));
      expect(html).toMatch(/<li class="user highlight">[\s\S]*老王[\s\S]*<span class="tag">大字模式<\/span>/);
      expect(html).toContain('data-openid="oLead2"');
      expect(html).toContain('试试邀请码 ABCD');
    } finally {
      await emu.close();
    }
    // the store is not empty now: a restart keeps it and does not seed again
    emu = await startEmulator({ functionsDir: FUNCTIONS, dataDir, port: 0, triggers: false, seed: 'small', seeder, log: () => undefined });
    await emu.close();
    expect(calls).toEqual(['small']);
  });

  test('a data set asked for without a seeder refuses to start', async () => {
    await expect(start({ seed: 'demo' })).rejects.toThrow(/--seed demo: no seeder/);
    await expect(start({ seed: 'none' }).then((emu) => emu.close())).resolves.toBeUndefined();
  });
});
