/**
 * `npm run cloud -- check --data <dir> [--branch <id>] [--repair] [--json]` (also
 * `npm run consistency:check -- …`): the consistency checker (core/consistency) against a local
 * store, through the real wx-server-sdk pointed at an emulator started on that store for the run —
 * the same database handle the cloud function gets. Stop a running emulator on the same data
 * folder first.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { startEmulator } from './local-cloud';
import { checkBranch, checkBranches } from '../core/consistency/runner';
import type { BranchReport } from '../core/consistency/rules';

export const CHECK_HELP = `计数核对 (consistency check) on a local store

usage: npm run cloud -- check [flags]   (or npm run consistency:check -- [flags])

  --data <dir>      the emulator's data folder (default .data/emulator)
  --branch <id>     one branch only (default: every branch)
  --repair          set each differing counter to its recomputed value
  --json            print the summary as JSON
  --help            this text
`;

export interface CheckArgs {
  dataDir: string;
  branchId: string | null;
  repair: boolean;
  json: boolean;
  help: boolean;
}

export function parseCheckArgs(argv: string[]): CheckArgs {
  const args: CheckArgs = { dataDir: path.join('.data', 'emulator'), branchId: null, repair: false, json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--data') args.dataDir = value();
    else if (a === '--branch') args.branchId = value();
    else if (a === '--repair') args.repair = true;
    else if (a === '--json') args.json = true;
    else if (a === '--help' || a === '-h') args.help = true;
    else throw new Error(`unknown flag ${a} (see check --help)`);
  }
  return args;
}

const line = (r: BranchReport) =>
  r.differences.map((d) => `  ${r.branchId}  ${d.coll}/${d.id}  ${d.field}: stored ${JSON.stringify(d.actual)}, records say ${JSON.stringify(d.expected)}`);

export async function runCheck(args: CheckArgs, out: (s: string) => void = (s) => process.stdout.write(s)): Promise<{ differences: number; repaired: number }> {
  if (!fs.existsSync(args.dataDir)) throw new Error(`no store at ${args.dataDir}`);
  const noFns = fs.mkdtempSync(path.join(os.tmpdir(), 'pps-check-'));
  const emu = await startEmulator({ functionsDir: noFns, dataDir: args.dataDir, port: 0, triggers: false, h5Dir: noFns, log: () => undefined });
  try {
    Object.assign(process.env, {
      TCB_CONTEXT_CNFG: JSON.stringify({ URL: `${emu.url}/admin` }),
      // the keys this emulator run checks /admin signatures against
      TENCENTCLOUD_SECRETID: emu.credentials.secretId,
      TENCENTCLOUD_SECRETKEY: emu.credentials.secretKey,
      TENCENTCLOUD: 'true',
      TCB_ENV: 'local-env',
    });
    // loaded only now, with the environment above pointing it at this run's emulator
    const cloud = require('wx-server-sdk');
    cloud.init({ env: 'local-env' });
    const db = cloud.database({ throwOnNotFound: false });
    const t0 = Date.now();
    const reports: BranchReport[] = [];
    let summary: { branches: number; differences: number; repaired: number; reads: number; writes: number };
    if (args.branchId) {
      const r = await checkBranch(db, args.branchId, { repair: args.repair });
      reports.push(r);
      summary = { branches: 1, differences: r.differences.length, repaired: r.repaired, reads: r.ops.reads, writes: r.ops.writes };
    } else {
      const s = await checkBranches(db, { repair: args.repair, keep: Number.MAX_SAFE_INTEGER });
      reports.push(...s.reports);
      summary = { branches: s.branches, differences: s.differences, repaired: s.repaired, reads: s.reads, writes: s.writes };
    }
    const ms = Date.now() - t0;
    if (args.json) out(`${JSON.stringify({ ...summary, ms, reports })}\n`);
    else {
      out(reports.flatMap(line).join('\n') + (reports.length ? '\n' : ''));
      out(
        `checked ${summary.branches} branch(es) in ${ms} ms: ${summary.differences} difference(s)` +
          `${args.repair ? `, ${summary.repaired} document(s) repaired` : ''}; ${summary.reads} reads, ${summary.writes} writes` +
          ` (${summary.branches ? (summary.reads / summary.branches).toFixed(1) : 0} reads per branch)\n`,
      );
    }
    return { differences: summary.differences, repaired: summary.repaired };
  } finally {
    await emu.close();
    fs.rmSync(noFns, { recursive: true, force: true });
  }
}
