/**
 * Bundles every cloud function written in TypeScript (<functionsDir>/<fn>/index.ts) into the
 * index.js CloudBase deploys: Node 16 (the CloudBase runtime), CommonJS. The packages the function's
 * own package.json lists (wx-server-sdk, and heavy libraries such as exceljs that only a few actions
 * need) stay `require` calls: CloudBase installs them beside index.js at deploy (上传并部署：云端安装依赖,
 * `installDependency` in cloudbaserc.json), and a `require` inside an action loads them only when that
 * action runs, so a cold start parses the bundle without them. Everything else it imports (shared
 * modules, other npm packages) is inlined.
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

const EXACT_VERSION = /^\d+\.\d+\.\d+$/;

/** The dependencies a function's package.json declares (empty when it cannot be read). */
export function declaredDependencies(dir: string): Record<string, string> {
  try {
    const deps = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))?.dependencies;
    return deps && typeof deps === 'object' ? (deps as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/**
 * The version of `dep` a `require` from `dir` loads locally: Node's own lookup, node_modules of the
 * folder (its real path: function sets are often symlinks) and of every folder above it. Undefined
 * when none has it.
 */
export function localVersion(dir: string, dep: string): string | undefined {
  let at = fs.realpathSync(dir);
  for (;;) {
    const pkg = path.join(at, 'node_modules', dep, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        return String(JSON.parse(fs.readFileSync(pkg, 'utf8')).version);
      } catch {
        return undefined;
      }
    }
    const up = path.dirname(at);
    if (up === at) return undefined;
    at = up;
  }
}

/** What esbuild leaves as `require`: each declared package and its subpaths. */
export function externalsOf(dir: string): string[] {
  const names = Object.keys(declaredDependencies(dir));
  if (!names.includes('wx-server-sdk')) names.unshift('wx-server-sdk');
  return names.flatMap((n) => [n, `${n}/*`]);
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
    // every other dependency is left out of the bundle and installed by CloudBase at deploy: a
    // range could install a version the tests never ran, and a local copy of another version
    // would have the emulator run code CloudBase does not
    for (const [dep, version] of Object.entries(pkg?.dependencies ?? {})) {
      if (dep === 'wx-server-sdk') continue;
      if (typeof version !== 'string' || !EXACT_VERSION.test(version)) {
        problems.push(`${name}: package.json must pin "${dep}" to an exact version (found ${JSON.stringify(version)}), as CloudBase installs what it says`);
        continue;
      }
      const local = localVersion(dir, dep);
      if (local !== version) {
        problems.push(
          `${name}: "${dep}" ${version} is declared but ${local ? `${local} is` : 'nothing is'} installed where the function's folder requires it from` +
            ' (npm install at the repository root, with the same version)',
        );
      }
    }
  }
  const cfgFile = path.join(dir, 'config.json');
  if (!fs.existsSync(cfgFile)) {
    problems.push(`${name}: config.json is missing (permissions.openapi, triggers)`);
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
      external: externalsOf(fnDir),
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
