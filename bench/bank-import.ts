/**
 * Bank import through the real storage path on the local emulator: a generated district bank is
 * uploaded as the H5 app does it and imported by fileID, batch after batch. Prints rows per second,
 * DB operations per 1,000 questions and the largest file imported. Figures, never pass/fail.
 *
 *   npx tsx bench/bank-import.ts [questions=10000] [megabytes=5]
 *
 * Each question gets a 解析 long enough that the file reaches the size asked for (a real bank with
 * explanations is that large), so the figures are those of the largest file an organiser brings.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { startEmulator } from '../scripts/local-cloud';
import { linkFunctions } from '../test/setup/functions';
import { DEMO } from '../seed';
import { csvOf, generateBank, templateRows, xlsxOf, type GeneratedBank } from '../test/fixtures/bank/generate';

const FILLER = '坚持党的全面领导，坚持以人民为中心，坚持全面从严治党，';

/** Pads every question's 解析 so `n` questions make about `mb` MB in the two-bytes-a-character CSV. */
function padded(b: GeneratedBank, mb: number): GeneratedBank {
  const perRow = Math.ceil((mb * 1024 * 1024) / b.questions.length / 2);
  for (const q of b.questions) {
    let e = q.explanation;
    while (e.length < perRow - 40) e += FILLER;
    q.explanation = e.slice(0, Math.min(perRow - 40, 990));
  }
  return b;
}

async function main() {
  const n = Number(process.argv[2] ?? 10_000);
  const mb = Number(process.argv[3] ?? 5);
  const fnDir = await linkFunctions('bench-bank', ['quiz']);
  const emu = await startEmulator({
    functionsDir: fnDir, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bank-')), port: 0, strict: true, testIdentityHeader: true,
    seed: 'demo', triggers: false, pool: 1, h5Dir: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bank-noh5-')), log: () => undefined,
  });
  const who = DEMO.organiserOpenid;
  const call = async (action: string, payload: unknown) => {
    const res = await fetch(`${emu.url}/api/functions/quiz`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-wx-openid': who }, body: JSON.stringify({ action, payload }) });
    const body = await res.json();
    if (body.error) throw new Error(JSON.stringify(body.error));
    return { data: body.result.data, ops: JSON.parse(res.headers.get('x-db-ops') ?? '{"total":0}').total as number, ms: Number(res.headers.get('x-duration-ms')) };
  };
  const dir = (await call('bankStatus', {})).data.importDir as string;
  let largest = 0;
  try {
    for (const [label, name, bytes] of [
      ['csv GB18030', 'bank.csv', csvOf(templateRows(padded(generateBank(n, 1), mb)), 'gb18030')],
      ['xlsx', 'bank.xlsx', await xlsxOf(templateRows(padded(generateBank(n, 2), mb)).map((r, i) => (i ? [r[0], `表格：${r[1]}`, ...r.slice(2)] : r)))],
    ] as Array<[string, string, Buffer]>) {
      const ticket = { cloudPath: `${dir}${Date.now()}.${name.split('.').pop()}` };
      const headers = { 'content-type': 'application/json', 'x-wx-openid': who };
      const t = await (await fetch(`${emu.url}/api/storage/upload-url`, { method: 'POST', headers, body: JSON.stringify(ticket) })).json();
      await fetch(`${emu.url}${t.url}`, { method: 'PUT', body: new Uint8Array(bytes) });
      const t0 = Date.now();
      let from = 0;
      let runId: string | undefined;
      let created = 0;
      let ops = 0;
      let calls = 0;
      let slowest = 0;
      for (;;) {
        const r = await call('importBankFile', { fileID: t.fileID, fileName: name, dryRun: false, from, runId });
        created += r.data.created;
        ops += r.ops;
        calls++;
        slowest = Math.max(slowest, r.ms);
        if (r.data.next === null) break;
        from = r.data.next;
        runId = r.data.runId;
      }
      const s = (Date.now() - t0) / 1000;
      largest = Math.max(largest, bytes.length);
      console.log(
        `${label}: ${(bytes.length / 1024 / 1024).toFixed(2)} MB, ${created} questions in ${s.toFixed(1)} s = ${Math.round(created / s)} rows/s; ` +
          `${calls} calls (slowest ${Math.round(slowest)} ms of the 10 s timeout); ${((ops / Math.max(1, created)) * 1000).toFixed(1)} DB ops per 1000 questions`,
      );
    }
    console.log(`largest file imported: ${(largest / 1024 / 1024).toFixed(2)} MB`);
  } finally {
    await emu.close();
    fs.rmSync(fnDir, { recursive: true, force: true });
  }
}

void main();
