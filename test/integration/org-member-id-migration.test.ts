/**
 * org.migrateMemberIds on the emulator: a demo database turned back into old-style member ids
 * (`m_` + FNV-1a of the phone) across every collection, migrated by repeated calls, some of them
 * killed half way, some overlapping. Afterwards no old id is left anywhere, the database is the
 * original one with each member's id swapped for a fresh random one (nothing lost, nothing added),
 * the app still finds everyone, and one more call changes nothing.
 */
import path from 'path';
import type { Emulator } from '../../scripts/local-cloud';
import { startTestEmulator } from '../setup/emulator';
import { buildFunctionsOnce } from '../setup/functions';
import { DEMO } from '../../seed';
import { DB_SCHEMA } from '../../core/db-schema';
import { fnv1a64, MEMBER_ID_RE } from '../../core/org/member';

const ROOT = path.join(__dirname, '..', '..');
const FUNCTIONS = path.join(ROOT, 'cloudfunctions');
const OWN = new Set(['org_member_id_map', 'org_migrations']);
const LEGACY_TOKEN = /(?<![0-9A-Za-z_])m_[0-9a-f]{16}(?![0-9A-Za-z_])/g;
const NEW_TOKEN = /(?<![0-9A-Za-z_])m_[0-9a-f]{32}(?![0-9A-Za-z_])/g;

let emu: Emulator;
const store = () => emu.backend.store as any;

interface Reply {
  ok: boolean;
  status: number;
  data: any;
  error?: { code: string; message: string };
  writes: number;
}

async function call(openid: string, action: string, payload: unknown, fault?: string): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-wx-openid': openid };
  if (fault) headers['x-fault'] = fault;
  const res = await fetch(`${emu.url}/api/functions/org`, { method: 'POST', headers, body: JSON.stringify({ action, payload }) });
  const body = (await res.json()) as any;
  const ops = JSON.parse(res.headers.get('x-db-ops') ?? '{"writes":0}');
  if (body.error) return { ok: false, status: res.status, data: undefined, error: body.error, writes: ops.writes };
  return { ok: true, status: res.status, data: body.result.data, writes: ops.writes };
}

/** Every string of a value passed through `f`, keys included; dates kept. */
function mapStrings(v: any, f: (s: string) => string): any {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  if (v && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [f(k), mapStrings(x, f)]));
  return v;
}

/** All documents of all product collections (the migration's own left out), by collection then `_id`. */
function dump(): Record<string, any[]> {
  const out: Record<string, any[]> = {};
  for (const coll of Object.keys(DB_SCHEMA)) {
    if (OWN.has(coll)) continue;
    out[coll] = (store().find(coll, {}) as any[]).sort((a, b) => String(a._id).localeCompare(String(b._id)));
  }
  return out;
}

const legacyOf = (phone: string) => `m_${fnv1a64(`org-member:${phone}`)}`;
/** The demo's openids are `demo-<member id>`: an openid is never rewritten, so the fixture leaves them too. */
const NOT_IN_OPENID = (id: string) => new RegExp(`(?<!demo-)${id}`, 'g');

let original: Record<string, any[]>;
/** original (random) id → the old-style id the fixture gave the member */
const toLegacy = new Map<string, string>();
const ORPHAN = legacyOf('13000000000');
const figures: string[] = [];

beforeAll(async () => {
  await buildFunctionsOnce(FUNCTIONS);
  emu = await startTestEmulator('org-ids', { functionsDir: FUNCTIONS });

  const s = store();
  // The demo's year of meetings in every branch (seed/activity-year.ts, ids `ay-…`) is about 15,000
  // records; the demo branch's own year keeps every shape here, the others only make the run longer.
  const otherBranchesYear = { _id: { $regex: `^ay-(?!${DEMO.branchId}-)` } };
  for (const coll of ['activity_items', 'activity_attendance', 'activity_minutes', 'activity_minutes_versions', 'activity_checklists']) {
    s.remove(coll, otherBranchesYear, { multi: true });
  }

  // Collections the demo seed leaves empty get documents of the shapes the functions write.
  const m = DEMO.memberId;
  const sec = DEMO.secretaryId;
  const at = new Date('2025-06-01T02:00:00Z');
  const act = (s.find('activity_items', {}, { limit: 1 }) as any[])[0]._id;
  s.insertMany('points_ledger', [
    { _id: `quiz:2025-06-01:${m}`, memberId: m, branchId: DEMO.branchId, day: '2025-06-01', points: 5, source: { type: 'quiz', id: '2025-06-01' }, at },
    { _id: `activity:${act}:${m}`, memberId: m, branchId: DEMO.branchId, day: '2025-06-01', points: 3, source: { type: 'activity', id: act }, at },
  ]);
  s.insertMany('quiz_mastered', [{ _id: m, ids: ['q1', 'q2'], updatedAt: at }]);
  s.insertMany('quiz_sets', [
    { _id: `${DEMO.districtId}:2099-01-01`, orgId: DEMO.districtId, day: '2099-01-01', materialised: false, pinned: ['q1'], questions: [], pinnedBy: DEMO.organiserId, updatedAt: at },
  ]);
  s.insertMany('quiz_reminders', [{ _id: `${DEMO.branchId}:2025-06-01`, branchId: DEMO.branchId, day: '2025-06-01', byId: sec, at, sent: 3, planned: 3 }]);
  s.insertMany('study_progress', [{ _id: `${m}:l-demo-article-2`, memberId: m, lessonId: 'l-demo-article-2', creditedSec: 300, position: 120, completed: false, completedAt: null, updatedAt: at }]);
  s.insertMany('study_reminders', [{ _id: `l-demo-live:${m}`, lessonId: 'l-demo-live', memberId: m, openid: DEMO.memberOpenid, title: '直播', speaker: '讲师', startsAt: at, sent: false, createdAt: at }]);
  s.insertMany('study_sessions', [
    { _id: DEMO.memberOpenid, memberId: m, name: '党员', branchId: DEMO.branchId, path: ['d1'], active: false, lessonId: 'l-demo-article-2', pending: {}, seq: 3, lastAt: 1 },
  ]);
  s.insertMany('activity_subs', [
    { _id: `${act}:${m}`, activityId: act, memberId: m, openid: DEMO.memberOpenid, remindAt: at, startAt: at, title: '主题党日', place: '党群服务中心', sent: false, createdAt: at },
  ]);
  s.insertMany('consistency_reports', [
    {
      _id: '2025-06-01',
      day: '2025-06-01',
      cursor: null,
      finishedAt: at,
      reports: [{ branchId: DEMO.branchId, differences: [{ coll: 'study_totals', id: `2025:${m}`, field: 'total', actual: 1, expected: 2 }] }],
    },
  ]);
  // a reference to someone who is no longer in org_members: it must not keep a phone-derived id either
  s.update('activity_items', { _id: act }, { $push: { roster: { id: `__orphan__`, name: '已删除党员', branchId: DEMO.branchId } } });

  // Back to the old scheme: every member's id becomes the FNV-1a of their phone, everywhere.
  for (const doc of s.find('org_members', {}) as any[]) toLegacy.set(doc._id, legacyOf(doc.phone));
  original = dump();
  for (const [coll, docs] of Object.entries(original)) {
    if (!docs.length) continue;
    const old = docs.map((d) =>
      mapStrings(d, (str) => {
        let out = str.replace('__orphan__', ORPHAN);
        if (!out.includes('m_')) return out;
        for (const [id, legacy] of toLegacy) if (out.includes(id)) out = out.replace(NOT_IN_OPENID(id), legacy);
        return out;
      }),
    );
    s.remove(coll, {}, { multi: true });
    s.insertMany(coll, old);
  }
});

afterAll(async () => {
  await emu?.close();
  if (figures.length) process.stdout.write(`member id migration:\n${figures.join('\n')}\n`);
});

test('the fixture holds old ids in every kind of place', () => {
  const withOld = Object.entries(dump())
    .filter(([, docs]) => docs.some((d) => JSON.stringify(d).match(LEGACY_TOKEN)))
    .map(([c]) => c);
  expect(withOld).toEqual(
    expect.arrayContaining([
      'org_members', 'org_bindings', 'org_invites', 'org_applications', 'org_transfers',
      'quiz_mastered', 'quiz_sets', 'quiz_reminders', 'points_ledger',
      'study_lessons', 'study_sessions', 'study_progress', 'study_credits', 'study_totals', 'study_offline', 'study_reminders',
      'activity_items', 'activity_attendance', 'activity_reads', 'activity_subs', 'consistency_reports',
    ]),
  );
  expect(store().findOne('org_members', toLegacy.get(DEMO.memberId)!)).toMatchObject({ openid: DEMO.memberOpenid });
  // the members still sign in as before (openids untouched), with the old ids
  expect(store().find('org_members', { openid: DEMO.organiserOpenid })[0]._id).toBe(toLegacy.get(DEMO.organiserId));
});

test('only an organiser of the root may run it, and a refusal writes nothing', async () => {
  for (const who of [DEMO.streetOrganiserOpenid, DEMO.secretaryOpenid, DEMO.memberOpenid]) {
    const r = await call(who, 'migrateMemberIds', {});
    expect(r.error?.code).toBe('PERMISSION_DENIED');
    expect(r.writes).toBe(0);
  }
  expect(store().count('org_member_id_map', {})).toBe(0);
});

test('repeated bounded calls, some killed half way and some overlapping, finish the migration', async () => {
  const started = Date.now();
  let calls = 0;
  let faults = 0;
  let last: Reply | null = null;
  const phases = new Set<string>();
  const faultedIn = new Set<string>();
  for (let i = 0; i < 600; i++) {
    let r: Reply;
    if (i % 2 === 1) {
      // killed after its n-th database request, or that request failing: the next call resumes
      const fault = i % 4 === 1 ? `timeout-after-op=${3 + (i % 29)}` : `fail-op=${4 + (i % 19)}`;
      const phase = store().findOne('org_migrations', 'member-ids')?.phase ?? 'map';
      r = await call(DEMO.organiserOpenid, 'migrateMemberIds', { limit: 160 }, fault);
      calls++;
      if (!r.ok) {
        faults++;
        faultedIn.add(phase);
        expect(['INTERNAL', 'DEADLINE_EXCEEDED']).toContain(r.error?.code);
        continue;
      }
    } else if (i % 6 === 4) {
      // two engineers (or a retry) at once
      const [a, b] = await Promise.all([
        call(DEMO.organiserOpenid, 'migrateMemberIds', { limit: 200 }),
        call(DEMO.organiserOpenid, 'migrateMemberIds', { limit: 200 }),
      ]);
      calls += 2;
      expect(a.ok && b.ok).toBe(true);
      r = a.data.done ? a : b;
    } else {
      r = await call(DEMO.organiserOpenid, 'migrateMemberIds', { limit: 200 });
      calls++;
      expect(r.ok).toBe(true);
    }
    last = r;
    phases.add(r.data.phase);
    if (r.data.done) break;
  }
  expect(last?.data).toMatchObject({ done: true, phase: 'done', conflicts: [] });
  expect(last?.data.message).toBe('党员编号迁移已完成');
  expect(faults).toBeGreaterThan(5);
  expect([...faultedIn]).toEqual(expect.arrayContaining(['refs', 'members', 'sweep']));
  expect([...phases]).toEqual(expect.arrayContaining(['refs', 'members', 'sweep', 'done']));
  const docs = Object.values(dump()).reduce((n, d) => n + d.length, 0);
  figures.push(`${docs} documents, ${toLegacy.size} members: ${calls} calls (${faults} killed or failed) in ${Date.now() - started} ms`);
}, 300_000);

test('no old id is left anywhere, and every member has a fresh random one', () => {
  const now = dump();
  const left = Object.entries(now).flatMap(([c, docs]) => docs.filter((d) => JSON.stringify(d).match(LEGACY_TOKEN)).map((d) => `${c}/${d._id}`));
  expect(left).toEqual([]);
  const map = store().find('org_member_id_map', {}) as Array<{ _id: string; newId: string; source: string }>;
  expect(map).toHaveLength(toLegacy.size + 1);
  expect(map.find((x) => x._id === ORPHAN)).toMatchObject({ source: 'reference' });
  for (const x of map) expect(x.newId).toMatch(MEMBER_ID_RE);
  expect(new Set(map.map((x) => x.newId)).size).toBe(map.length);
  for (const m of now.org_members) expect(m._id).toMatch(MEMBER_ID_RE);
});

test('the database is the original one with each id swapped: nothing lost, nothing added, nothing else changed', () => {
  const map = new Map((store().find('org_member_id_map', {}) as Array<{ _id: string; newId: string }>).map((x) => [x._id, x.newId]));
  const back = new Map<string, string>();
  for (const [orig, legacy] of toLegacy) back.set(map.get(legacy)!, orig);
  back.set(map.get(ORPHAN)!, '__orphan__');
  const restored: Record<string, any[]> = {};
  for (const [coll, docs] of Object.entries(dump())) {
    restored[coll] = docs
      .map((d) => mapStrings(d, (s) => s.replace(NEW_TOKEN, (t) => back.get(t) ?? t)))
      .sort((a, b) => String(a._id).localeCompare(String(b._id)));
  }
  for (const coll of Object.keys(original)) {
    expect({ coll, docs: restored[coll] }).toEqual({ coll, docs: original[coll] });
  }
  const state = store().findOne('org_migrations', 'member-ids');
  expect(state).toMatchObject({ phase: 'done', finishedAt: expect.any(Date) });
  // counted by the calls that saved their progress: killed calls' work is done but not counted
  expect(state.totals.members).toBeGreaterThan(toLegacy.size / 2);
  expect(state.totals.members).toBeLessThanOrEqual(toLegacy.size);
});

test('the app finds everyone under the new ids', async () => {
  const map = new Map((store().find('org_member_id_map', {}) as Array<{ _id: string; newId: string }>).map((x) => [x._id, x.newId]));
  const memberId = map.get(toLegacy.get(DEMO.memberId)!)!;
  const me = await call(DEMO.memberOpenid, 'me', {});
  expect(me.data.member.id).toBe(memberId);
  expect(store().findOne('org_bindings', DEMO.memberOpenid)).toMatchObject({ memberId });
  const list = await call(DEMO.secretaryOpenid, 'listMembers', { limit: 100 });
  expect(list.data.members.map((x: any) => x.id)).toContain(memberId);
  const elder = map.get(toLegacy.get(DEMO.elderId)!)!;
  const history = await call(DEMO.secretaryOpenid, 'memberHistory', { memberId: elder });
  expect(history.data).toHaveLength(1);
  const attendance = store().find('activity_attendance', { memberId: elder }) as any[];
  expect(attendance.length).toBeGreaterThan(0);
  for (const a of attendance) expect(a._id).toBe(`${a.activityId}:${elder}`);
});

test('one more call changes nothing', async () => {
  const before = JSON.stringify(dump());
  const r = await call(DEMO.organiserOpenid, 'migrateMemberIds', {});
  expect(r.data).toMatchObject({ done: true, scanned: 0 });
  expect(r.writes).toBe(0);
  expect(JSON.stringify(dump())).toBe(before);
});
