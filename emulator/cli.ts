/**
 * Local CloudBase: `npm run cloud -- [flags]` (or `npx tsx emulator/cli.ts [flags]`).
 * Works on any folder of CloudBase functions, TypeScript or plain JavaScript.
 */
import path from 'path';
import { startEmulator, type EmulatorOptions, type SeedSize } from './server';

export const HELP = `本地云开发模拟器 (local CloudBase emulator)

usage: npm run cloud -- [flags]

  --functions <dir>   folder of cloud functions, one sub-folder each with index.js (default cloudfunctions)
  --data <dir>        where the database and files live (default .data/emulator)
  --port <n>          HTTP port; 0 picks a free one (default 8787)
  --host <addr>       address to listen on (default 127.0.0.1; --dev and --test refuse any other
                      than a loopback address)
  --seed <size>       demo | district | none: seed demo data when the store is empty (default none)
  --reseed            wipe the store first (then seed if --seed is given)
  --strict            behave like production where local shortcuts differ (unknown collections → -502005)
  --dev               dev mode for a local demo: the dev sign-in page /dev (anyone who reaches it
                      can act as any user), /api/dev/*, /api/outbox, /api/stats
  --test              dev mode plus the x-wx-openid header as the caller's identity and test
                      faults (x-fault header, /api/dev/faults; automated tests only)
  --secrets <names>   comma-separated environment variables to give every function a random
                      value of, generated once per data folder (<data>/secrets.json)
  --h5 <dir>          H5 build to serve at / (default dist-h5)
  --pool <n>          max warm instances per function (default 4)
  --env <id>          CloudBase env id functions see (default local-env)
  --durability <m>    normal | full (fsync every commit)
  --no-triggers       do not run timer triggers on their schedule
  --build             bundle index.ts functions into index.js first (scripts/build-functions.ts)
  --help              this text

  npm run cloud -- check --data <dir> [--branch <id>] [--repair] [--json]
                      recompute every stored counter from its records (see docs/consistency.md)
`;

export interface CliArgs extends EmulatorOptions {
  build: boolean;
  help: boolean;
}

export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = {
    functionsDir: 'cloudfunctions',
    dataDir: path.join('.data', 'emulator'),
    port: 8787,
    build: false,
    help: false,
    triggers: true,
  };
  const need = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    // --flag=value form
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      argv = [...argv.slice(0, i), a.slice(0, eq), a.slice(eq + 1), ...argv.slice(i + 1)];
      a = argv[i];
    }
    switch (a) {
      case '--functions':
        args.functionsDir = need(i++, a);
        break;
      case '--data':
        args.dataDir = need(i++, a);
        break;
      case '--port': {
        const n = Number(need(i++, a));
        if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error('--port must be 0-65535');
        args.port = n;
        break;
      }
      case '--host':
        args.host = need(i++, a);
        break;
      case '--seed': {
        const v = need(i++, a);
        if (!['demo', 'district', 'none'].includes(v)) throw new Error('--seed must be demo, district or none');
        args.seed = v as SeedSize;
        break;
      }
      case '--reseed':
        args.reseed = true;
        break;
      case '--strict':
        args.strict = true;
        break;
      case '--dev':
        args.dev = true;
        break;
      case '--test':
        args.testIdentityHeader = true;
        break;
      case '--secrets':
        args.secrets = need(i++, a)
          .split(',')
          .map((n) => n.trim())
          .filter(Boolean);
        break;
      case '--h5':
        args.h5Dir = need(i++, a);
        break;
      case '--pool': {
        const n = Number(need(i++, a));
        if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error('--pool must be 1-64');
        args.pool = n;
        break;
      }
      case '--env':
        args.env = need(i++, a);
        break;
      case '--durability': {
        const v = need(i++, a);
        if (v !== 'normal' && v !== 'full') throw new Error('--durability must be normal or full');
        args.durability = v;
        break;
      }
      case '--no-triggers':
        args.triggers = false;
        break;
      case '--build':
        args.build = true;
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      default:
        throw new Error(`unknown flag ${a} (see --help)`);
    }
  }
  return args;
}

async function main() {
  if (process.argv[2] === 'check') {
    const { parseCheckArgs, runCheck, CHECK_HELP } = await import('./consistency-check');
    const cargs = parseCheckArgs(process.argv.slice(3));
    if (cargs.help) return void process.stdout.write(CHECK_HELP);
    const { differences, repaired } = await runCheck(cargs);
    // a check that finds differences fails, so CI and scripts notice; a full repair succeeds
    process.exit(differences > repaired ? 1 : 0);
  }
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(HELP);
    return;
  }
  if (args.build) {
    const { buildFunctions } = await import('../scripts/build-functions');
    const built = await buildFunctions(args.functionsDir);
    process.stdout.write(`built ${built.length} function(s): ${built.map((b) => b.name).join(', ') || '-'}\n`);
  }
  const emu = await startEmulator(args);
  const fns = emu.host.list();
  const out = [
    `CloudBase emulator listening on ${emu.url}`,
    `  functions  ${path.resolve(args.functionsDir)} (${fns.length}: ${fns.map((f) => f.name).join(', ') || 'none found'})`,
    `  data       ${path.resolve(args.dataDir)}`,
    `  gateway    POST ${emu.url}/api/functions/<name>${args.testIdentityHeader ? '  (test mode: x-wx-openid accepted)' : ''}`,
    emu.dev ? `  sign in    ${emu.url}/dev` : '  sign in    none (no dev mode: callers have no identity)',
    `  secrets    ${Object.keys(emu.secrets).join(', ') || 'none'}${Object.keys(emu.secrets).length ? ` (${path.join(path.resolve(args.dataDir), 'secrets.json')})` : ''}`,
    `  triggers   ${args.triggers === false ? 'off' : emu.scheduled.map((t) => `${t.fn}/${t.trigger.name} "${t.trigger.config}"`).join(', ') || 'none'}`,
    '',
  ];
  process.stdout.write(out.join('\n'));
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stdout.write(`\n${sig}: stopping…\n`);
    emu.close().then(
      () => process.exit(0),
      (e) => {
        process.stderr.write(`${(e as Error).stack}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error)?.message ?? e}\n`);
    process.exit(1);
  });
}
