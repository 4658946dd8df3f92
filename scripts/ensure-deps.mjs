#!/usr/bin/env node
// Installs npm dependencies when they are missing or older than package-lock.json, so that
// `npm start` and `npm test` work on a fresh clone. `npm install`, not `npm ci`: some optional
// @tarojs/binding-* platform packages were never published and `npm ci` rejects the lockfile for it.
//
// A first install is minutes of work that npm does silently when its output is not a terminal, so
// this says what runs and why, prints a progress line every 15 s (packages unpacked, then the
// better-sqlite3 compile), and ends with how long each part took.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modules = join(root, 'node_modules');
const marker = join(modules, '.package-lock.json');
const lock = join(root, 'package-lock.json');
const sqliteBuild = join(modules, 'better-sqlite3', 'build');
const sqliteAddon = join(sqliteBuild, 'Release', 'better_sqlite3.node');
const EVERY_MS = 15_000;

const reason = !existsSync(marker)
  ? 'node_modules is missing'
  : existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000
    ? 'package-lock.json changed since the last install'
    : !existsSync(sqliteAddon)
      ? 'better-sqlite3 is not built'
      : null;
if (!reason) process.exit(0);
// Everything else in place: `npm install` would find nothing to do, so build the one package.
const rebuildOnly = reason === 'better-sqlite3 is not built' && existsSync(join(modules, 'better-sqlite3', 'package.json'));
const npmArgs = rebuildOnly ? ['rebuild', 'better-sqlite3'] : ['install', '--no-audit', '--no-fund'];

const t0 = Date.now();
const clock = (ms) => {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
};
const say = (line) => process.stdout.write(`[deps ${clock(Date.now() - t0)}] ${line}\n`);

/** The hoisted packages the lockfile installs on this platform (what ends up directly in node_modules/). */
function expectedPackages() {
  try {
    const glibc = !!process.report?.getReport?.().header?.glibcVersionRuntime;
    const fits = (list, value) => !Array.isArray(list) || list.some((v) => v === value || (v.startsWith('!') && v !== `!${value}`));
    return Object.entries(JSON.parse(readFileSync(lock, 'utf8')).packages ?? {}).filter(
      ([k, p]) =>
        /^node_modules\/(@[^/]+\/)?[^/]+$/.test(k) &&
        fits(p.os, process.platform) &&
        fits(p.cpu, process.arch) &&
        fits(p.libc, glibc ? 'glibc' : 'musl'),
    ).length;
  } catch {
    return 0;
  }
}

/** Packages unpacked so far: npm makes every folder first and fills it later, so count package.json files. */
function unpackedPackages() {
  try {
    let n = 0;
    for (const e of readdirSync(modules, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name.startsWith('.')) continue;
      const dirs = e.name.startsWith('@') ? readdirSync(join(modules, e.name)).map((d) => join(e.name, d)) : [e.name];
      for (const d of dirs) if (existsSync(join(modules, d, 'package.json'))) n++;
    }
    return n;
  } catch {
    return 0;
  }
}

const compileFresh = !existsSync(sqliteAddon);
const expected = expectedPackages();
say(`Installing dependencies with \`npm ${npmArgs.join(' ')}\` (${reason}).`);
if (rebuildOnly) {
  say('better-sqlite3 compiles from source (no prebuilt binary is downloaded): about 2 min on 2 cores. Progress every 15 s.');
} else if (compileFresh) {
  say(
    `A first install fetches about ${expected.toLocaleString('en')} packages and compiles better-sqlite3 from source ` +
      '(no prebuilt binary is downloaded): a few minutes, the compile alone about 2 min on 2 cores. Progress every 15 s.',
  );
}

let compileStart = 0;
const progress = setInterval(() => {
  if (existsSync(sqliteBuild) && !existsSync(sqliteAddon)) {
    compileStart ||= Date.now();
    say(`compiling better-sqlite3 from source (node-gyp, SQLite's C source) for ${clock(Date.now() - compileStart)}…`);
    return;
  }
  const n = unpackedPackages();
  if (compileStart) say('better-sqlite3 built; npm is finishing…');
  else if (!n) say('resolving and fetching packages…');
  else if (n < expected) say(`${n.toLocaleString('en')} of ${expected.toLocaleString('en')} top-level packages unpacked…`);
  else say(`all ${n.toLocaleString('en')} top-level packages unpacked; npm runs install scripts…`);
}, EVERY_MS);

const npm = spawn('npm', npmArgs, { cwd: root, stdio: 'inherit' });
npm.on('error', (err) => {
  clearInterval(progress);
  say(`could not run npm: ${err.message}`);
  process.exit(1);
});
npm.on('close', (code, signal) => {
  clearInterval(progress);
  if (code !== 0) {
    say(`npm ${npmArgs[0]} failed (${signal ?? `exit ${code}`}). Its messages are above; run \`npm ${npmArgs.join(' ')}\` again once they are fixed.`);
    process.exit(code || 1);
  }
  if (!existsSync(sqliteAddon)) {
    say(`npm ${npmArgs[0]} finished, but better-sqlite3 was not built: run \`npm rebuild better-sqlite3 --foreground-scripts\` and read its output.`);
    process.exit(1);
  }
  let built = '';
  const configured = join(sqliteBuild, 'config.gypi');
  if (compileFresh && existsSync(configured)) {
    // node-gyp writes config.gypi before it compiles and the addon last: the two times bound the compile.
    const ms = statSync(sqliteAddon).mtimeMs - statSync(configured).mtimeMs;
    if (ms > 0) built = ` (better-sqlite3 compiled in ${clock(ms)})`;
  }
  say(`Dependencies installed in ${clock(Date.now() - t0)}${built}.`);
});
