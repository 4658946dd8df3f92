/**
 * The privacy walk: every action, called as every kind of caller with the matrix's own fixtures
 * (test/trust/cases), and every file such a reply links to (.xlsx ledgers from cloud storage) and
 * every subscribe message in the outbox, searched for personal data the caller may not see:
 *   - a full phone number of anyone but the caller, except a secretary seeing their own branch's
 *     members and applicants (core/org/phone.ts canSeePhone);
 *   - anyone's openid but the caller's own;
 *   - in organisers' replies, no birth year or gender of a named person and, in their reports, no
 *     phone field at all: an organiser compares branches, they do not contact members.
 */
import ExcelJS from 'exceljs';
import { allActions, CALLER_KINDS, onStoreWrite, startTrustHarness, type CallerInfo, type Harness } from './harness';
import { AUTHZ_CASES } from './cases';

/** Organiser-facing reports: aggregates by branch, or attendance lists, never a contact sheet. */
const ORGANISER_REPORTS = new Set([
  'quiz.branchToday',
  'quiz.rankBranches',
  'quiz.bankStatus',
  'study.branchTable',
  'study.orgRates',
  'study.exportLedger',
  'activity.roster',
  'activity.rates',
  'activity.exportLedger',
]);
const PERSONAL_KEYS_FOR_ORGANISERS = ['birthYear', 'age', 'gender', 'openid'];

interface Person {
  id: string;
  branchId: string | null;
  kind: 'member' | 'applicant';
}

let h: Harness;
/** phone → the people it belongs to; openid → member id */
const phones = new Map<string, Person[]>();
const openids = new Map<string, string>();

/** set when a fixture or a call writes a member or an application, so the index is rebuilt */
let peopleChanged = true;

beforeAll(async () => {
  h = await startTrustHarness();
  onStoreWrite(h, (coll) => {
    if (coll === 'org_members' || coll === 'org_applications') peopleChanged = true;
  });
});
afterAll(async () => {
  await h?.close();
});

function indexPeople() {
  if (!peopleChanged) return;
  peopleChanged = false;
  phones.clear();
  openids.clear();
  const add = (phone: unknown, p: Person) => {
    if (typeof phone !== 'string' || !/^1\d{10}$/.test(phone)) return;
    phones.set(phone, [...(phones.get(phone) ?? []), p]);
  };
  for (const m of h.store.find('org_members', {})) {
    add(m.phone, { id: m._id, branchId: m.branchId ?? null, kind: 'member' });
    if (m.openid) openids.set(m.openid, m._id);
  }
  for (const a of h.store.find('org_applications', {})) {
    add(a.phone, { id: a.openid ?? a._id, branchId: a.branchId ?? null, kind: 'applicant' });
  }
}

function mayKnowPhone(viewer: CallerInfo, p: Person): boolean {
  if (p.kind === 'member' && p.id === viewer.memberId) return true;
  if (p.kind === 'applicant' && p.id === viewer.openid) return true;
  return viewer.kind === 'secretary' || viewer.kind === 'otherSecretary' ? p.branchId === viewer.branchId : false;
}

/** Everything wrong with one text the caller received. */
function findLeaks(viewer: CallerInfo, text: string): string[] {
  const leaks: string[] = [];
  for (const m of text.matchAll(/(?<!\d)1\d{10}(?!\d)/g)) {
    const owners = phones.get(m[0]);
    if (owners && !owners.some((p) => mayKnowPhone(viewer, p))) leaks.push(`phone of ${owners.map((o) => o.id).join('/')}`);
  }
  for (const [openid, id] of openids) {
    if (openid !== viewer.openid && text.includes(openid)) leaks.push(`openid of ${id}`);
  }
  return leaks;
}

function keysDeep(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => keysDeep(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.add(k);
      keysDeep(x, out);
    }
  }
  return out;
}

async function xlsxText(buf: Buffer): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as any);
  const cells: string[] = [];
  wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => cells.push(String(c.text ?? '')))));
  return cells.join('\n');
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Cell text of every .xlsx a reply hands over: inline (`base64`) or as a cloud-storage link. */
async function filesText(data: unknown): Promise<string[]> {
  const texts: string[] = [];
  const inline: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'base64' && typeof x === 'string') inline.push(x);
        else walk(x);
      }
    }
  };
  walk(data);
  for (const b64 of inline) texts.push(await xlsxText(Buffer.from(b64, 'base64')));
  const urls = JSON.stringify(data ?? null).match(/https?:\/\/[^"]+/g) ?? [];
  for (const url of urls.filter((u) => u.startsWith(h.emu.url))) {
    const res = await fetch(url);
    if (!res.ok) continue;
    const buf = Buffer.from(await res.arrayBuffer());
    // an invite's 小程序码 (PNG) encodes only the invite code, a lesson's recording (audio/video) holds
    // no text; every other linked file is a workbook
    if (buf.subarray(0, 8).equals(PNG_MAGIC) || /^(audio|video)\//.test(res.headers.get('content-type') ?? '')) continue;
    texts.push(await xlsxText(buf));
  }
  return texts;
}

const walked = { replies: 0, files: 0, messages: 0, maskedPhones: 0 };

test('no reply, linked file or message carries personal data the caller may not see', async () => {
  const leaks: string[] = [];
  for (const a of allActions()) {
    const c = AUTHZ_CASES[a.fn]?.[a.action];
    if (!c) throw new Error(`${a.key} has no case in test/trust/cases/${a.fn}.ts`);
    for (const kind of CALLER_KINDS) {
      const caller = h.callers[kind];
      const payload = await c.payload(h, caller);
      const r = await h.call(a.fn, a.action, payload, caller.openid);
      walked.replies++;
      walked.maskedPhones += r.raw.match(/1\d{2}\*{4}\d{4}/g)?.length ?? 0;
      indexPeople(); // fixtures may have added people
      for (const l of findLeaks(caller, r.raw)) leaks.push(`${a.key} as ${kind}: ${l}`);
      for (const text of await filesText(r.data)) {
        walked.files++;
        for (const l of findLeaks(caller, text)) leaks.push(`${a.key} file as ${kind}: ${l}`);
      }
      if (r.ok && (kind === 'organiser' || kind === 'otherOrganiser')) {
        const keys = keysDeep(r.data);
        // their own profile (org.me) is theirs to see
        const own = a.key === 'org.me';
        for (const k of own ? [] : PERSONAL_KEYS_FOR_ORGANISERS) if (keys.has(k)) leaks.push(`${a.key} as ${kind}: field ${k}`);
        if (ORGANISER_REPORTS.has(a.key) && keys.has('phone')) leaks.push(`${a.key} as ${kind}: field phone in a report`);
      }
    }
  }
  // subscribe messages go to one member each: nobody else's phone or openid in the content
  const { messages } = (await (await fetch(`${h.emu.url}/api/outbox`)).json()) as { messages: any[] };
  for (const msg of messages) {
    walked.messages++;
    const viewer: CallerInfo = { kind: 'member', openid: msg.openid, memberId: openids.get(msg.openid) ?? null, branchId: null };
    const content = JSON.stringify({ data: msg.data, page: msg.page ?? null });
    for (const l of findLeaks(viewer, content)) leaks.push(`outbox message to ${viewer.memberId}: ${l}`);
  }
  process.stdout.write(
    `privacy walk: ${walked.replies} replies, ${walked.files} files, ${walked.messages} messages, ${walked.maskedPhones} masked phones seen\n`,
  );
  expect(walked.replies).toBe(allActions().length * CALLER_KINDS.length);
  // the walk reached the contact lists (masked for those who may not see them), not only empty replies
  expect(walked.maskedPhones).toBeGreaterThan(0);
  expect(walked.files).toBeGreaterThan(0);
  expect(leaks).toEqual([]);
}, 600_000);

test('the checker itself catches a leak (a secretary-only view read by a member)', async () => {
  indexPeople();
  const stranger = h.store.find('org_members', { branchId: h.callers.otherMember.branchId, phone: { $exists: true } })[0];
  const member = h.callers.member;
  expect(findLeaks(member, `{"phone":"${stranger.phone}"}`)).toHaveLength(1);
  expect(findLeaks(member, `{"phone":"${stranger.phone.slice(0, 3)}****${stranger.phone.slice(7)}"}`)).toHaveLength(0);
  expect(findLeaks(h.callers.otherSecretary, `{"phone":"${stranger.phone}"}`)).toHaveLength(0);
});
