/**
 * Bundles every cloud function written in TypeScript (<functionsDir>/<fn>/index.ts) into the
 * index.js CloudBase deploys: Node 16 (the CloudBase runtime), CommonJS, wx-server-sdk left to the
 * function's own node_modules, everything else it imports (shared modules, npm packages) inlined.
 *
 *   npx tsx emulator/build-functions.ts [functionsDir]      (default ./cloudfunctions)
 */
import { build } from 'esbuild';
import fs from 'fs';
import path from 'path';

export const SDK_VERSION = '4.0.2';

export interface BuiltFunction {
  name: string;
  bytes: number;
}

/** Problems that would make a folder fail to deploy or behave differently on CloudBase. */
export function checkFunctionFolder(dir: string): string[] {
  const name = path.basename(dir);
  const problems: string[] = [];
  const pkgFile = path.join(dir, 'package.json');
  if (!fs.existsSync(pkgFile)) {
    problems.push(`${name}: package.json is missing (it must declare "wx-server-sdk": "${SDK_VERSION}")`);
  } else {
    let pkg: any;
    try {
      pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
    } catch (e) {
      problems.push(`${name}: package.json is not valid JSON (${(e as Error).message})`);
    }
    const declared = pkg?.dependencies?.['wx-server-sdk'];
    if (pkg && declared !== SDK_VERSION) {
      problems.push(
        `${name}: package.json must declare "wx-server-sdk": "${SDK_VERSION}" exactly in dependencies (found ${declared === undefined ? 'nothing' : JSON.stringify(declared)})`,
      );
    }
  }
  const cfgFile = path.join(dir, 'config.json');
  if (!fs.existsSync(cfgFile)) {
    problems.push(`${name}: config.json is missing (timeout, permissions.openapi, triggers)`);
  } else {
    try {
      JSON.parse(fs.readFileSync(cfgFile, 'utf8'));
    } catch (e) {
      problems.push(`${name}: config.json is not valid JSON (${(e as Error).message})`);
    }
  }
  return problems;
}

/** Folders of `dir` that hold an index.ts. */
export function listTsFunctions(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && e.name !== 'node_modules')
    // a symlinked function folder counts too (tests and benchmarks assemble function sets that way)
    .filter((e) => e.isDirectory() || (e.isSymbolicLink() && fs.statSync(path.join(dir, e.name), { throwIfNoEntry: false })?.isDirectory()))
    .map((e) => e.name)
    .filter((n) => fs.existsSync(path.join(dir, n, 'index.ts')))
    .sort();
}

export async function buildFunctions(dir: string): Promise<BuiltFunction[]> {
  const root = path.resolve(dir);
  const names = listTsFunctions(root);
  const problems = names.flatMap((n) => checkFunctionFolder(path.join(root, n)));
  if (problems.length) {
    throw new Error(`cannot build cloud functions:\n  - ${problems.join('\n  - ')}`);
  }
  const out: BuiltFunction[] = [];
  for (const name of names) {
    const fnDir = path.join(root, name);
    const outfile = path.join(fnDir, 'index.js');
    // Write beside, then rename: a host (or a parallel test) reading index.js sees the old file or
    // the new one, never a half-written one.
    const tmpfile = `${outfile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await build({
      entryPoints: [path.join(fnDir, 'index.ts')],
      outfile: tmpfile,
      bundle: true,
      platform: 'node',
      target: 'node16',
      format: 'cjs',
      external: ['wx-server-sdk'],
      sourcemap: false,
      minify: false,
      legalComments: 'none',
      logLevel: 'silent',
      banner: { js: '// Built by emulator/build-functions.ts from index.ts: edit that file, not this one.' },
    });
    fs.renameSync(tmpfile, outfile);
    out.push({ name, bytes: fs.statSync(outfile).size });
  }
  return out;
}

if (require.main === module) {
  const dir = process.argv[2] ?? path.join(process.cwd(), 'cloudfunctions');
  buildFunctions(dir).then(
    (built) => {
      if (!built.length) console.log(`no index.ts functions in ${dir}`);
      for (const b of built) console.log(`${b.name.padEnd(24)} ${(b.bytes / 1024).toFixed(1).padStart(8)} KB`);
    },
    (e) => {
      console.error((e as Error).message);
      process.exit(1);
    },
  );
}
