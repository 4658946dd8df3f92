/**
 * `npm run cloud -- [flags]`: the emulator CLI (emulator/cli.ts) with this product's database, seed
 * and error convention (scripts/local-cloud.ts); `npm run cloud -- check …` runs the consistency
 * check on a local store (scripts/check.ts).
 */
import { HELP, runCli } from '../emulator/cli';
import { PROJECT } from './local-cloud';

const CLOUD_HELP = `${HELP.replace(/tsx emulator\/cli\.ts/g, 'npm run cloud --')}
  This project hands the emulator cloudbase/database.json (--database overrides it) and its demo
  data: --seed demo (≈ 400 members) | district (25,000, for benchmarks) | none.

  npm run cloud -- check --data <dir> [--branch <id>] [--repair] [--json]
                      recompute every stored counter from its records (see docs/consistency.md)
`;

async function main(argv: string[]) {
  if (argv[0] === 'check') {
    const { parseCheckArgs, runCheck, CHECK_HELP } = await import('./check');
    const cargs = parseCheckArgs(argv.slice(1));
    if (cargs.help) return void process.stdout.write(CHECK_HELP);
    const { differences, repaired } = await runCheck(cargs);
    // a check that finds differences fails, so CI and scripts notice; a full repair succeeds
    process.exit(differences > repaired ? 1 : 0);
  }
  await runCli(argv, PROJECT, CLOUD_HELP);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${(e as Error)?.message ?? e}\n`);
    process.exit(1);
  });
}
