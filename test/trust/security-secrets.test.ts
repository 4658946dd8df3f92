/**
 * Secrets fail closed. A function whose secret is missing, short or a value printed in the source
 * refuses the actions that need it (the sign-in QR code: issuing and verifying) with a message for
 * the secretary and one log line for the engineer, and there is no built-in fallback anyone could
 * read. The local emulator generates a random secret per data folder, so local use needs no setup.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { startEmulator, type Emulator } from '../../scripts/local-cloud';
import { buildFunctionsOnce } from '../setup/functions';
import { DEMO } from '../../seed';
import { issueToken, verifyToken } from '../../core/activity/token';
import { MIN_SECRET_LENGTH, REQUIRED_SECRETS, requireSecret, requiredSecretNames, secretProblem } from '../../core/fn/secrets';
import { readLocalSecrets, SECRETS_FILE } from '../../emulator/secrets';
import { activityDoc } from '../fixtures/activity';
import { freshDataDir } from '../setup/demo-snapshot';

const ROOT = path.join(__dirname, '..', '..');
const FUNCTIONS = path.join(ROOT, 'cloudfunctions');
const MIN = 60_000;
/** The constant the activity function fell back to before: it is in the repository's history. */
const FORMER_DEFAULT = 'pps-local-activity-qr-secret-change-me';
const NOT_CONFIGURED = { code: 'FAILED_PRECONDITION', message: '签到功能尚未配置，请联系管理员' };

describe('requireSecret', () => {
  const good = 'Zq3vT8pW1mKx6YbN0cR4hJ7sLd2FgA9uEoIy5QtB';
  const refusals: Array<[string, string | undefined]> = [
    ['missing', undefined],
    ['empty', ''],
    ['one character short of the minimum', good.slice(0, MIN_SECRET_LENGTH - 1)],
    ['a padded placeholder', 'x'.repeat(64)],
    ['a repeated pattern', '12345678'.repeat(8)],
    ['the former built-in default', FORMER_DEFAULT],
  ];

  test.each(refusals)('refuses a secret that is %s, with the message for the person and one log line naming the variable', (_label, value) => {
    const lines: string[] = [];
    let thrown: any;
    try {
      requireSecret({ ACTIVITY_QR_SECRET: value }, 'ACTIVITY_QR_SECRET', (l) => lines.push(l));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject(NOT_CONFIGURED);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('ACTIVITY_QR_SECRET');
    if (value) expect(lines[0]).not.toContain(value);
  });

  test('returns a long random value as it is, without logging', () => {
    const lines: string[] = [];
    expect(requireSecret({ ACTIVITY_QR_SECRET: good }, 'ACTIVITY_QR_SECRET', (l) => lines.push(l))).toBe(good);
    expect(lines).toEqual([]);
    expect(secretProblem(good)).toBeNull();
  });

  test('every listed secret has a Chinese message for the person and a purpose for the engineer', () => {
    const all = Object.values(REQUIRED_SECRETS).flat();
    expect(all.length).toBeGreaterThan(0);
    for (const s of all) {
      expect(s.name).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(s.message).toMatch(/[\u4e00-\u9fff]/);
      expect(s.purpose.length).toBeGreaterThan(10);
    }
    expect(requiredSecretNames('activity')).toEqual(['ACTIVITY_QR_SECRET']);
  });
});

describe('every secret is read through requireSecret and listed in REQUIRED_SECRETS', () => {
  const SECRET_LIKE = /(SECRET|_KEY|TOKEN|PASSWORD|SALT|PEPPER)/;
  const files = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === 'node_modules' ? [] : files(p);
      return /\.ts$/.test(e.name) ? [p] : [];
    });
  const sources = [...files(path.join(ROOT, 'cloudfunctions')), ...files(path.join(ROOT, 'core'))].map((f) => ({
    file: path.relative(ROOT, f),
    text: fs.readFileSync(f, 'utf8'),
  }));

  test('no function or core module reads a secret-looking environment variable directly', () => {
    const direct: string[] = [];
    for (const { file, text } of sources) {
      for (const m of text.matchAll(/\benv(?:\.|\[\s*['"`])([A-Z][A-Z0-9_]*)/g)) {
        if (SECRET_LIKE.test(m[1])) direct.push(`${file}: env.${m[1]}`);
      }
    }
    expect(direct).toEqual([]);
  });

  test('each requireSecret call names a listed secret, and each listed secret is required somewhere', () => {
    const listed = new Set(requiredSecretNames());
    const used = new Set<string>();
    for (const { text } of sources) for (const m of text.matchAll(/requireSecret\([^,]+,\s*'([A-Z0-9_]+)'/g)) used.add(m[1]);
    expect([...used].filter((n) => !listed.has(n))).toEqual([]);
    expect([...listed].filter((n) => !used.has(n))).toEqual([]);
  });
});

describe('the activity function refuses to issue or verify sign-in codes without a usable secret', () => {
  let dataDir: string;
  let emu: Emulator | undefined;
  const saved = process.env.ACTIVITY_QR_SECRET;

  const start = (secrets?: string[]) =>
    startEmulator({
      functionsDir: FUNCTIONS,
      dataDir,
      port: 0,
      strict: true,
      testIdentityHeader: true,
      secrets,
      seed: 'demo',
      triggers: false,
      h5Dir: fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-noh5-')),
      log: () => undefined,
    });

  const call = async (fn: string, action: string, payload: unknown, openid: string) => {
    const r = await fetch(`${emu!.url}/api/functions/${fn}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
      body: JSON.stringify({ action, payload }),
    });
    const body = (await r.json()) as any;
    return { status: r.status, ok: r.status === 200, data: body.result?.data, error: body.error };
  };

  /** A published 主题党日 of the demo branch whose sign-in is open now. */
  let seq = 0;
  const openActivity = (): string => {
    const store = emu!.backend.store;
    const id = `a-secret-${++seq}`;
    const branch = store.findOne('org_nodes', DEMO.branchId);
    const members = store.find('org_members', { branchId: DEMO.branchId, status: 'active' }, { sort: { _id: 1 } });
    const roster = members.map((m: any) => ({ id: m._id, name: m.name, branchId: m.branchId }));
    store.put('activity_items', activityDoc({ id, branch, roster, startAt: new Date(Date.now() + 10 * MIN) }), 'insert');
    return id;
  };

  const expectRefusedBothWays = async () => {
    const id = openActivity();
    const issue = await call('activity', 'qrToken', { id }, DEMO.secretaryOpenid);
    expect(issue.status).toBe(409);
    expect(issue.error).toEqual(NOT_CONFIGURED);
    // a code anyone could mint from the source, and one under the weak value, are not accepted
    for (const key of [FORMER_DEFAULT, 'short-but-sixteen+', process.env.ACTIVITY_QR_SECRET ?? '']) {
      if (!key) continue;
      const r = await call('activity', 'signIn', { token: issueToken(key, id, Date.now()).token }, DEMO.memberOpenid);
      expect(r.status).toBe(409);
      expect(r.error).toEqual(NOT_CONFIGURED);
    }
    expect(emu!.backend.store.count('activity_attendance', { activityId: id })).toBe(0);
  };

  beforeAll(async () => {
    await buildFunctionsOnce(FUNCTIONS);
    dataDir = freshDataDir('secrets', 'demo');
  });
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
    if (saved === undefined) delete process.env.ACTIVITY_QR_SECRET;
    else process.env.ACTIVITY_QR_SECRET = saved;
  });

  test('with no ACTIVITY_QR_SECRET at all', async () => {
    delete process.env.ACTIVITY_QR_SECRET;
    emu = await start();
    expect(emu.secrets).toEqual({});
    await expectRefusedBothWays();
  });

  test('with a short one, which the function used to accept (≥ 16 characters)', async () => {
    process.env.ACTIVITY_QR_SECRET = 'short-but-sixteen+';
    emu = await start();
    await expectRefusedBothWays();
  });

  test('with the former built-in default set explicitly', async () => {
    process.env.ACTIVITY_QR_SECRET = FORMER_DEFAULT;
    emu = await start();
    await expectRefusedBothWays();
  });

  test('the emulator generates one per data folder, kept there, and the codes work with it', async () => {
    delete process.env.ACTIVITY_QR_SECRET;
    emu = await start(requiredSecretNames());
    const secret = emu.secrets.ACTIVITY_QR_SECRET;
    expect(secretProblem(secret)).toBeNull();
    const stored = readLocalSecrets(dataDir);
    expect(Object.keys(stored).sort()).toEqual(requiredSecretNames().sort());
    expect(stored.ACTIVITY_QR_SECRET).toBe(secret);
    for (const value of Object.values(stored)) expect(secretProblem(value)).toBeNull();
    expect(fs.statSync(path.join(dataDir, SECRETS_FILE)).mode & 0o077).toBe(0);

    const id = openActivity();
    const issued = await call('activity', 'qrToken', { id }, DEMO.secretaryOpenid);
    expect(issued.ok).toBe(true);
    const signed = await call('activity', 'signIn', { token: issued.data.token }, DEMO.memberOpenid);
    expect(signed.ok).toBe(true);
    expect(signed.data.attendance.status).toBe('present');
    // the emulator's secret is the function's: the code it issued verifies under it
    expect(verifyToken(secret, issued.data.token, Date.now())).toBe(id);
    const forged = await call('activity', 'signIn', { token: issueToken(FORMER_DEFAULT, id, Date.now()).token }, DEMO.elderOpenid);
    expect(forged.error?.code).toBe('INVALID_ARGUMENT');

    // a restart on the same folder keeps the secret; another folder gets its own
    await emu.close();
    emu = await start(requiredSecretNames());
    expect(emu.secrets.ACTIVITY_QR_SECRET).toBe(secret);
    await emu.close();
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-other-'));
    emu = await startEmulator({ functionsDir: FUNCTIONS, dataDir: other, port: 0, secrets: requiredSecretNames(), triggers: false, log: () => undefined });
    expect(emu.secrets.ACTIVITY_QR_SECRET).not.toBe(secret);
    expect(secretProblem(emu.secrets.ACTIVITY_QR_SECRET)).toBeNull();
  });
});
