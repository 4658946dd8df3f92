/**
 * Local CloudBase: `npx tsx emulator/cli.ts [flags]`. Works on any folder of CloudBase functions,
 * TypeScript or plain JavaScript. A project's own script may run it with what it hands the emulator
 * (its database file, seeder, gateway error convention) through `runCli(argv, project)`.
 */
import path from 'path';
import { startEmulator, type EmulatorOptions } from './server';

export const HELP = `本地云开发模拟器 (local CloudBase emulator)

usage: tsx emulator/cli.ts [flags]

  --functions <dir>   folder of cloud functions, one sub-folder each with index.js (default cloudfunctions)
  --data <dir>        where the database and files live (default .data/emulator)
  --port <n>          HTTP port; 0 picks a free one (default 8787)
  --host <addr>       address to listen on (default 127.0.0.1; --dev and --test refuse any other
                      than a loopback address)
  --database <file>   the collections and indexes to create: a CloudBase database file
                      ({ "collections": [ { "collectionName", "createIndexes" … } ] })
  --manifest <file>   the deploy manifest (cloudbaserc.json): each function's timeout (default 3 s),
                      memorySize and envVariables
  --seed <name>       seed the project's data set <name> when the store is empty (needs the
                      project's seeder; none: nothing, the default)
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
  --build             bundle index.ts functions into index.js first (emulator/build-functions.ts)
  --help              this text
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
      case '--database':
        args.database = need(i++, a);
        break;
      case '--manifest':
        args.manifest = need(i++, a);
        break;
      case '--seed':
        args.seed = need(i++, a);
        break;
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

/**
 * Parses `argv`, starts the emulator with `project` (what a project hands it: database, seeder,
 * gatewayError, appName…) under the flags, prints where it listens and stops it on SIGINT/SIGTERM.
 */
export async function runCli(argv: string[], project: Partial<EmulatorOptions> = {}, help = HELP): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${help}`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(help);
    return;
  }
  if (args.build) {
    const { buildFunctions } = await import('./build-functions');
    const built = await buildFunctions(args.functionsDir);
    process.stdout.write(`built ${built.length} function(s): ${built.map((b) => b.name).join(', ') || '-'}\n`);
  }
  const emu = await startEmulator({ ...project, ...args });
  const fns = emu.host.list();
  const database = args.database ?? project.database;
  const out = [
    `CloudBase emulator listening on ${emu.url}`,
    `  functions  ${path.resolve(args.functionsDir)} (${fns.length}: ${fns.map((f) => f.name).join(', ') || 'none found'})`,
    `  data       ${path.resolve(args.dataDir)}`,
    `  database   ${typeof database === 'string' ? path.resolve(database) : database ? 'given by the project' : 'none (collections appear on first write, no indexes)'}`,
    `  manifest   ${args.manifest ?? project.manifest ? path.resolve((args.manifest ?? project.manifest)!) : 'none (every function: 3 s, 256 MB)'}`,
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
  runCli(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${(e as Error)?.message ?? e}\n`);
    process.exit(1);
  });
}
