/**
 * A district's bank through the real storage path on the emulator: the organiser's app uploads the
 * file to cloud storage (the gateway's upload ticket, then a PUT), the quiz function downloads it by
 * fileID and imports it in batches that fit the timeout. 1,500+ generated questions in several
 * layouts and encodings with every problem an office file has; a dry run shows what will happen;
 * re-importing changes nothing; the report file lists the rows to fix; the bank health counts them.
 */
import fs from 'fs';
import ExcelJS from 'exceljs';
import type { Emulator } from '../../scripts/local-cloud';
import { startTestEmulator } from '../setup/emulator';
import { linkFunctions } from '../setup/functions';
import { DEMO } from '../../seed';
import { csvOf, docxOf, generateBank, templateRows, variantRows, xlsxOf } from '../fixtures/bank/generate';
import { dayOf } from '../../core/day';

let emu: Emulator;
let fnDir: string;

async function quiz(openid: string, action: string, payload: unknown = {}) {
  const res = await fetch(`${emu.url}/api/functions/quiz`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
    body: JSON.stringify({ action, payload }),
  });
  const body = await res.json();
  const ops = JSON.parse(res.headers.get('x-db-ops') ?? '{"total":-1}');
  return { ok: !body.error, data: body.result?.data, error: body.error, ops };
}

/** What the app does on H5: a ticket for the caller's own import folder, then the bytes. */
async function upload(openid: string, dir: string, name: string, bytes: Buffer): Promise<string> {
  const ticket = await fetch(`${emu.url}/api/storage/upload-url`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
    body: JSON.stringify({ cloudPath: `${dir}${Date.now()}-${Math.floor(Math.random() * 1e6)}.${name.split('.').pop()}` }),
  });
  expect(ticket.status).toBe(200);
  const t = await ticket.json();
  const put = await fetch(`${emu.url}${t.url}`, { method: 'PUT', body: new Uint8Array(bytes) });
  expect(put.status).toBe(200);
  return t.fileID;
}

/** The page's loop: batch after batch until `next` is null; sums what each call reports. */
async function importAll(openid: string, fileID: string, fileName: string, extra: object = {}) {
  let from = 0;
  let runId: string | undefined;
  let created = 0;
  let skipped = 0;
  let calls = 0;
  let ops = 0;
  let first: any;
  for (;;) {
    const r = await quiz(openid, 'importBankFile', { fileID, fileName, dryRun: false, from, runId, ...extra });
    expect(r.error).toBeUndefined();
    first ??= r.data;
    calls++;
    ops += r.ops.total;
    created += r.data.created;
    skipped += r.data.skipped;
    if (r.data.next === null) break;
    from = r.data.next;
    runId = r.data.runId;
  }
  return { created, skipped, calls, ops, first };
}

const store = () => emu.backend.store as { count(coll: string, q?: object): number; find(coll: string, q?: object): any[] };

beforeAll(async () => {
  fnDir = await linkFunctions('quiz-bank-it', ['quiz']);
  emu = await startTestEmulator('quiz-bank-it', { functionsDir: fnDir, pool: 1 });
}, 120_000);

afterAll(async () => {
  await emu?.close();
  fs.rmSync(fnDir, { recursive: true, force: true });
});

const bank = generateBank(1500);
let dir = '';

test('an upload ticket only for a signed-in caller and their own import folder', async () => {
  const st = await quiz(DEMO.organiserOpenid, 'bankStatus');
  dir = st.data.importDir;
  expect(dir).toBe(`imports/quiz/${DEMO.organiserOpenid}/`);
  const other = await fetch(`${emu.url}/api/storage/upload-url`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-wx-openid': DEMO.organiserOpenid },
    body: JSON.stringify({ cloudPath: `imports/quiz/${DEMO.memberOpenid}/x.csv` }),
  });
  expect(other.status).toBe(403);
  const anon = await fetch(`${emu.url}/api/storage/upload-url`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cloudPath: `${dir}x.csv` }) });
  expect(anon.status).toBe(401);
});

test('a GB18030 .csv of 1,500 questions with every problem: the dry run says exactly what the import then does', async () => {
  const before = store().count('quiz_questions', {});
  const fileID = await upload(DEMO.organiserOpenid, dir, 'bank.csv', csvOf(templateRows(bank), 'gb18030'));
  const dry = await quiz(DEMO.organiserOpenid, 'importBankFile', { fileID, fileName: '党史题库.csv', dryRun: true, defaultSource: '党史题库' });
  expect(dry.error).toBeUndefined();
  expect(dry.data).toMatchObject({ dryRun: true, total: 1500 + bank.bad.length + bank.repeats.length, valid: 1500, created: 1500, skipped: 2, needsChanges: bank.bad.length, fatal: null, next: null });
  expect(dry.data.warningCount).toBeGreaterThan(100);
  expect(store().count('quiz_questions', {})).toBe(before);
  // the report file: the rows to fix as they were, with a 问题 column
  const rep = await fetch(dry.data.problemsFile.url);
  expect(rep.status).toBe(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await rep.arrayBuffer()) as ArrayBuffer);
  const ws = wb.worksheets[0];
  expect(ws.rowCount).toBe(bank.bad.length + 1);
  expect(String(ws.getRow(1).getCell(13).value)).toBe('问题');
  bank.bad.forEach((b, k) => expect(String(ws.getRow(k + 2).getCell(13).value)).toContain(b.problem));

  const t0 = Date.now();
  const real = await importAll(DEMO.organiserOpenid, fileID, '党史题库.csv', { defaultSource: '党史题库' });
  const ms = Date.now() - t0;
  expect(real.created).toBe(1500);
  expect(real.skipped).toBe(2);
  expect(store().count('quiz_questions', {})).toBe(before + 1500);
  const fill = store().find('quiz_questions', { type: 'fill', orgId: 'd1' });
  expect(fill.length).toBeGreaterThan(200);
  expect(fill.every((q: any) => q.options.length === 0 && q.answer.length >= 1)).toBe(true);
  expect(store().find('quiz_questions', { orgId: 'd1', source: '党史题库' }).length).toBeGreaterThan(200);
  // figures for the note (the bench prints them for larger files)
  console.log(`[bank import] 1500 questions: ${Math.round((1500 / ms) * 1000)} rows/s, ${Math.round((real.ops / 1500) * 1000)} DB ops per 1000, ${real.calls} calls`);
  expect(real.ops / 1500).toBeLessThan(0.02);

  // the same file again, and the same questions in other layouts: nothing changes
  const again = await importAll(DEMO.organiserOpenid, fileID, '党史题库.csv', { defaultSource: '党史题库' });
  expect(again.created).toBe(0);
  expect(again.skipped).toBe(1502);
  const xlsxID = await upload(DEMO.organiserOpenid, dir, 'bank.xlsx', await xlsxOf(templateRows(bank)));
  expect((await importAll(DEMO.organiserOpenid, xlsxID, '题库.xlsx', { defaultSource: '党史题库' })).created).toBe(0);
  expect(store().count('quiz_questions', {})).toBe(before + 1500);
}, 180_000);

test('a batch repeated after a timeout counts its questions once; a .docx list and another layout import too', async () => {
  const more = generateBank(300, 77);
  for (const q of more.questions) q.stem = `补充：${q.stem}`;
  const fileID = await upload(DEMO.organiserOpenid, dir, 'more.docx', await docxOf(more.questions));
  const first = await quiz(DEMO.organiserOpenid, 'importBankFile', { fileID, fileName: '补充题.docx', dryRun: false });
  expect(first.data).toMatchObject({ unit: '题', next: null, created: 300 });
  // the app retries the same call (its answer was lost): the questions it wrote are its own, counted once, written once
  const retry = await quiz(DEMO.organiserOpenid, 'importBankFile', { fileID, fileName: '补充题.docx', dryRun: false, from: 0, runId: first.data.runId });
  expect(retry.data).toMatchObject({ created: 300, skipped: 0 });
  expect(store().count('quiz_questions', { stem: { $regex: '^补充' } })).toBe(300);

  const variant = generateBank(200, 99);
  for (const q of variant.questions) q.stem = `另一种表格：${q.stem}`;
  const vID = await upload(DEMO.organiserOpenid, dir, 'v.xlsx', await xlsxOf(variantRows(variant)));
  expect((await importAll(DEMO.organiserOpenid, vID, '另一种.xlsx')).created).toBe(200);
}, 120_000);

test('only the caller\'s own upload can be imported; a missing file is a plain error', async () => {
  const fileID = await upload(DEMO.organiserOpenid, dir, 'x.csv', csvOf(templateRows(generateBank(3, 5))));
  const other = await quiz(DEMO.streetOrganiserOpenid, 'importBankFile', { fileID, fileName: 'x.csv' });
  expect(other.error?.code).toBe('PERMISSION_DENIED');
  const missing = await quiz(DEMO.organiserOpenid, 'importBankFile', { fileID: `${fileID}-gone`, fileName: 'x.csv' });
  expect(missing.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: '找不到上传的文件，请重新选择文件' });
});

test('bank health: by type and topic, fresh questions and the day the bank runs out', async () => {
  const st = await quiz(DEMO.organiserOpenid, 'bankStatus');
  const h = st.data.health;
  const fill = h.byType.find((t: any) => t.type === 'fill');
  expect(fill.active).toBe(store().count('quiz_questions', { orgId: { $in: ['d1'] }, type: 'fill', status: 'active' }));
  expect(fill.fresh).toBeLessThanOrEqual(fill.active);
  expect(h.byType.reduce((a: number, t: any) => a + t.active, 0)).toBe(st.data.active);
  expect(h.byTag.find((t: any) => t.key === '党史').active).toBeGreaterThan(50);
  expect(h.runsOutOn > dayOf(new Date())).toBe(true);
  // the set draws every type at the default mix
  const today = await quiz(DEMO.memberOpenid, 'today');
  expect(today.data.questions.length).toBe(5);
});
