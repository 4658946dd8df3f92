#!/usr/bin/env node
/**
 * `npm test`: every check. The independent steps run side by side so a 2-core machine is kept busy
 * (lint, typecheck and both builds), then jest, then the browser E2E on its own (it is sensitive to
 * load). A step that runs beside another has its output held and printed whole when it ends.
 * Each step is an npm script of package.json and can be run on its own.
 * Everything the steps write to the system's temporary directory (emulator data dirs, bundles,
 * Chromium profiles: hundreds of directories a run) goes into one directory of the run, removed
 * when it ends, however it ends.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const STAGES = [
  // the H5 app only serves the E2E and the local emulator: built unminified (config/index.ts)
  ['lint', 'typecheck', 'build:weapp', 'build:h5'],
  ['check:size'],
  ['test:jest'],
  ['test:e2e:run'],
];
const ENV = { 'build:h5': { H5_UNMINIFIED: '1' } };

const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pps-test-'));
const removeRunTmp = () => {
  try {
    fs.rmSync(runTmp, { recursive: true, force: true, maxRetries: 3 });
  } catch (e) {
    process.stderr.write(`[npm test] could not remove ${runTmp}: ${e.message}\n`);
  }
};
process.on('exit', removeRunTmp);
const running = new Set();
// each step runs in a process group of its own (npm, the tool, its workers): Ctrl-C or a SIGTERM
// stops them all, then the run leaves through 'exit' so the directory goes
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of running) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // the group has already ended
      }
    }
    process.exit(128 + os.constants.signals[signal]);
  });
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(script, alone) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', '--silent', script], {
      stdio: alone ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      detached: true,
      // os.tmpdir(), Chromium and SQLite all read TMPDIR
      env: { ...process.env, ...ENV[script], TMPDIR: runTmp },
    });
    running.add(child);
    const held = [];
    if (!alone) {
      child.stdout.on('data', (d) => held.push(d));
      child.stderr.on('data', (d) => held.push(d));
    }
    child.on('close', (code) => {
      running.delete(child);
      const secs = ((Date.now() - started) / 1000).toFixed(0);
      if (!alone) process.stdout.write(Buffer.concat(held));
      process.stdout.write(`\n[npm test] ${script}: ${code === 0 ? 'passed' : `failed (exit ${code})`} in ${secs} s\n`);
      resolve(code ?? 1);
    });
  });
}

const begun = Date.now();
for (const stage of STAGES) {
  process.stdout.write(`\n[npm test] ${stage.join(' + ')}\n`);
  const codes = await Promise.all(stage.map((s) => run(s, stage.length === 1)));
  if (codes.some((c) => c !== 0)) process.exit(1);
}
process.stdout.write(`\n[npm test] everything passed in ${Math.round((Date.now() - begun) / 1000)} s\n`);
