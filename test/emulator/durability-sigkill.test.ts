import { startCli as startCliProcess } from '../fixtures/cli-process';
import fs from 'fs';
import os from 'os';
import path from 'path';

const FUNCTIONS = path.join(__dirname, '..', 'fixtures', 'functions');

/** The CLI as a user runs it, in its own process, so SIGKILL is a real crash. */
const startCli = (dataDir: string) =>
  startCliProcess(['--functions', FUNCTIONS, '--data', dataDir, '--port', '0', '--test', '--no-triggers'], 20_000);

async function add(url: string, tag: string, marker: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/api/functions/sample`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': 'oWriter' },
      body: JSON.stringify({ action: 'add', tag, marker }),
    });
    if (r.status !== 200) return false;
    const body = await r.json();
    return typeof body.result?._id === 'string';
  } catch {
    return false; // connection cut by the kill: not acknowledged
  }
}

test('every acknowledged write survives SIGKILL mid-burst (3 rounds)', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'durability-'));
  const report: string[] = [];
  for (let round = 0; round < 3; round++) {
    const tag = `round-${round}`;
    const emu = await startCli(dataDir);
    const acked: string[] = [];
    let killed = false;
    const burst = Array.from({ length: 300 }, (_, i) => `${tag}-${i}`).map(async (marker) => {
      if (await add(emu.url, tag, marker)) {
        // Answers read after the kill were still sent by the server before it died: they count too.
        acked.push(marker);
        if (!killed && acked.length === 60 + round * 40) {
          killed = true;
          emu.child.kill('SIGKILL');
        }
      }
    });
    await Promise.all(burst);
    if (!killed) emu.child.kill('SIGKILL');
    await emu.exited;
    expect(acked.length).toBeGreaterThanOrEqual(60);

    const again = await startCli(dataDir);
    try {
      const r = await fetch(`${again.url}/api/functions/sample`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'markers', tag }),
      });
      const stored = new Set<string>((await r.json()).result.markers);
      const lost = acked.filter((m) => !stored.has(m));
      report.push(`round ${round}: acked ${acked.length}, stored ${stored.size}, lost ${lost.length}`);
      expect(lost).toEqual([]);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  }
  process.stdout.write(`${report.join('\n')}\n`);
});
