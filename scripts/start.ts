/**
 * `npm start`: the whole product on one machine. Bundles the cloud functions, builds the H5 app when
 * its sources changed, starts the local CloudBase emulator with this product's database file and
 * the demo district (scripts/local-cloud.ts; seeded once, kept in .data/demo between runs) and
 * prints where to open it.
 *   npm start -- --port 9000    another port
 *   npm start -- --reseed       wipe the demo data and seed it again
 *   npm start -- --no-h5        do not build the H5 app (while `npm run dev:h5` serves it, say)
 * It runs in dev mode (the /dev sign-in lets anyone act as any demo user), so it listens on this
 * machine only: `--host` accepts a loopback address and refuses any other. The functions' secrets
 * (core/fn/secrets.ts) are generated once into .data/demo/secrets.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildFunctions } from '../emulator/build-functions';
import { startEmulator } from './local-cloud';
import { requiredSecretNames } from '../core/fn/secrets';

const root = path.join(__dirname, '..');

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function h5IsStale(): boolean {
  const index = path.join(root, 'dist-h5', 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return ['src', 'core', 'config'].some((d) => newestMtime(path.join(root, d)) > built);
}

async function main() {
  const functionsDir = path.join(root, 'cloudfunctions');
  const built = await buildFunctions(functionsDir);
  console.log(`云函数已打包: ${built.map((f) => f.name).join(', ')}`);

  if (!process.argv.includes('--no-h5') && h5IsStale()) {
    console.log('正在构建 H5 应用 (npm run build:h5)…');
    const r = spawnSync('npm', ['run', 'build:h5'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }

  const emulator = await startEmulator({
    functionsDir,
    dataDir: path.join(root, '.data', 'demo'),
    port: Number(flag('port') ?? process.env.PORT ?? 8787),
    host: flag('host') ?? '127.0.0.1',
    strict: true,
    dev: true,
    testIdentityHeader: false,
    secrets: requiredSecretNames(),
    h5Dir: path.join(root, 'dist-h5'),
    seed: 'demo',
    reseed: process.argv.includes('--reseed'),
    triggers: true,
  });
  console.log('');
  console.log(`指尖党校 本地环境已启动: ${emulator.url}/`);
  console.log(`开发登录页 (选择一位演示用户): ${emulator.url}/dev`);
  console.log('按 Ctrl+C 停止');

  const stop = async () => {
    await emulator.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
