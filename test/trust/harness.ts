/**
 * One emulator with the demo district, every function built, and the eight kinds of caller the
 * trust suites (authorisation matrix, hostile input, privacy) call as. Calls go over real HTTP with
 * the test-only `x-wx-openid` header, exactly as the gateway serves the H5 app.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { startEmulator, type Emulator } from '../../scripts/local-cloud';
import { buildFunctionsOnce } from '../setup/functions';
import { requiredSecretNames } from '../../core/fn/secrets';
import { DEMO } from '../../seed';
import type { ActionTable, Audience } from '../../core/fn/router';
import { orgActions } from '../../cloudfunctions/org/actions';
import { quizActions } from '../../cloudfunctions/quiz/actions';
import { pointsActions } from '../../cloudfunctions/points/actions';
import { studyActions } from '../../cloudfunctions/study/actions';
import { activityActions } from '../../cloudfunctions/activity/actions';
import { consistencyActions } from '../../cloudfunctions/consistency/actions';
import { freshDataDir } from '../setup/demo-snapshot';

const ROOT = path.join(__dirname, '..', '..');
export const FUNCTIONS_DIR = path.join(ROOT, 'cloudfunctions');

/** Every action table, by function name. A new function must be added here to be covered. */
export const FUNCTION_TABLES: Record<string, ActionTable<any>> = {
  org: orgActions,
  quiz: quizActions,
  points: pointsActions,
  study: studyActions,
  activity: activityActions,
  consistency: consistencyActions,
};

export interface ActionRef {
  fn: string;
  action: string;
  /** `fn.action`, the key used in docs/permissions.md */
  key: string;
  allow: readonly Audience[];
}

export function allActions(): ActionRef[] {
  return Object.entries(FUNCTION_TABLES).flatMap(([fn, table]) =>
    Object.entries(table).map(([action, def]) => ({ fn, action, key: `${fn}.${action}`, allow: def.allow })),
  );
}

/** The kinds of caller, in the column order of the permission table. */
export const CALLER_KINDS = [
  'unknown',
  'applicant',
  'member',
  'otherMember',
  'secretary',
  'otherSecretary',
  'organiser',
  'otherOrganiser',
] as const;
export type CallerKind = (typeof CALLER_KINDS)[number];

/**
 * Who each kind is in the demo district. "Home" is DEMO.branchId (馨怡家园社区第一党支部, street d1-s1):
 * every case builds its target there, so "other" callers are the ones who must be kept out.
 */
export interface CallerInfo {
  kind: CallerKind;
  openid: string;
  /** org_members _id, null for unknown and applicant */
  memberId: string | null;
  branchId: string | null;
}

export const HOME = {
  branchId: DEMO.branchId,
  otherBranchId: DEMO.otherBranchId,
  streetId: DEMO.streetId,
  otherStreetId: 'd1-s2',
  farBranchId: DEMO.farBranchId,
  districtId: DEMO.districtId,
};

export interface Reply {
  status: number;
  ok: boolean;
  data: any;
  error?: { code: string; message: string; details?: any };
  ops: { reads: number; writes: number; transactions: number; total: number };
  /** the raw response body text, for the privacy walk */
  raw: string;
}

export interface TrustStore {
  find(coll: string, q?: object, o?: object): any[];
  findOne(coll: string, id: string): any;
  count(coll: string, q?: object): number;
  insertOne(coll: string, doc: object): string;
  put(coll: string, doc: object, mode?: 'insert' | 'upsert'): void;
  update(coll: string, q: object, u: object, o?: object): unknown;
  remove(coll: string, q: object, o?: { multi?: boolean }): number;
}

export interface Harness {
  emu: Emulator;
  store: TrustStore;
  callers: Record<CallerKind, CallerInfo>;
  /** calls `fn.action` as `openid` (null: no identity at all) */
  call(fn: string, action: unknown, payload: unknown, openid: string | null): Promise<Reply>;
  /** calls as a kind of caller */
  as(kind: CallerKind, fn: string, action: string, payload?: unknown): Promise<Reply>;
  /** a counter for unique fixture ids within this run */
  seq(): number;
  close(): Promise<void>;
}

/**
 * Calls `fn` with every document written to the harness's store from now on, by a fixture or by a
 * function (every write passes the store's one `onBeforeWrite` hook; the emulator's own still runs).
 * A write that fails or is rolled back is reported too: read the document back to see what stands.
 */
export function onStoreWrite(h: Harness, fn: (coll: string, id: string) => void): void {
  const store = h.emu.backend.store as any;
  const next = store.onBeforeWrite as ((coll: string, id: string) => void) | undefined;
  store.onBeforeWrite = (coll: string, id: string) => {
    fn(coll, id);
    next?.(coll, id);
  };
}

/** The organiser of another street: not in the demo seed, so the harness adds them. */
const OTHER_ORGANISER = {
  _id: 'm-trust-far-organiser',
  openid: 'wx-openid-far-street-organiser',
};

export async function startTrustHarness(opts: { seed?: 'demo' | 'district' } = {}): Promise<Harness> {
  await buildFunctionsOnce(FUNCTIONS_DIR);
  const dataDir = freshDataDir('trust', opts.seed ?? 'demo');
  const h5Dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-noh5-'));
  const emu = await startEmulator({
    functionsDir: FUNCTIONS_DIR,
    dataDir,
    port: 0,
    strict: true,
    testIdentityHeader: true,
    secrets: requiredSecretNames(),
    seed: opts.seed ?? 'demo',
    triggers: false,
    h5Dir,
    log: () => undefined,
  });
  const store = emu.backend.store as TrustStore;

  const organiser = store.find('org_members', { openid: DEMO.organiserOpenid })[0];
  if (!store.findOne('org_members', OTHER_ORGANISER._id)) {
    store.put(
      'org_members',
      {
        ...organiser,
        _id: OTHER_ORGANISER._id,
        openid: OTHER_ORGANISER.openid,
        name: '周立新',
        phone: '13900001234',
        role: 'organiser',
        scopeId: HOME.otherStreetId,
      },
      'insert',
    );
  }
  const firstMember = (branchId: string, role: string) =>
    store.find('org_members', { branchId, role, status: 'active', openid: { $ne: null } }, { sort: { _id: 1 } })[0];
  const otherMember = firstMember(HOME.otherBranchId, 'member');
  const otherSecretary = firstMember(HOME.otherBranchId, 'secretary');
  const streetOrganiser = store.find('org_members', { openid: DEMO.streetOrganiserOpenid })[0];

  const info = (kind: CallerKind, doc: any): CallerInfo => ({
    kind,
    openid: doc.openid,
    memberId: doc._id,
    branchId: doc.branchId ?? null,
  });
  const callers: Record<CallerKind, CallerInfo> = {
    unknown: { kind: 'unknown', openid: 'trust-stranger', memberId: null, branchId: null },
    applicant: { kind: 'applicant', openid: DEMO.applicantOpenids[0], memberId: null, branchId: null },
    member: info('member', store.findOne('org_members', DEMO.memberId)),
    otherMember: info('otherMember', otherMember),
    secretary: info('secretary', store.findOne('org_members', DEMO.secretaryId)),
    otherSecretary: info('otherSecretary', otherSecretary),
    organiser: info('organiser', streetOrganiser),
    otherOrganiser: info('otherOrganiser', store.findOne('org_members', OTHER_ORGANISER._id)),
  };

  let n = 0;
  const call = async (fn: string, action: unknown, payload: unknown, openid: string | null): Promise<Reply> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (openid) headers['x-wx-openid'] = openid;
    const body = payload === undefined ? { action } : { action, payload };
    const res = await fetch(`${emu.url}/api/functions/${fn}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const raw = await res.text();
    const parsed = JSON.parse(raw);
    const ops = JSON.parse(res.headers.get('x-db-ops') ?? '{"reads":0,"writes":0,"transactions":0,"total":0}');
    if (parsed.error) return { status: res.status, ok: false, data: undefined, error: parsed.error, ops, raw };
    return { status: res.status, ok: true, data: parsed.result?.data, ops, raw };
  };
  return {
    emu,
    store,
    callers,
    call,
    as: (kind, fn, action, payload = {}) => call(fn, action, payload, callers[kind].openid),
    seq: () => ++n,
    close: async () => {
      await emu.close();
      for (const dir of [dataDir, h5Dir]) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
