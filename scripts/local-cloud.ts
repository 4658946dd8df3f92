/**
 * This product's local CloudBase: the generic emulator (emulator/) with what the project hands it —
 * the database file an engineer also sets up in the console (cloudbase/database.json), the deploy
 * manifest (cloudbaserc.json: timeouts, memory, environment variables), the demo
 * data (seed/), the app's name for the dev sign-in page, and the gateway's error convention (a
 * function's `{ ok: false, error }` answers as an HTTP error with its code's status,
 * core/fn/errors.ts, which the H5 client and the tests read). Everything that runs the emulator for
 * this product starts it here: npm start, npm run cloud (scripts/cloud.ts), the tests and the
 * benchmarks.
 */
import path from 'path';
import { isErrorResult, statusOf } from '../core/fn/errors';
import { ELDER_AGE } from '../core/org/member';
import { startEmulator as startGenericEmulator, type EmulatorOptions, type GatewayError, type Seeder, type Emulator } from '../emulator/server';
import { listDemoTips, listDemoUsers, seed, type SeedSize } from '../seed';
import { subscribeRegistry } from '../core/subscribe/templates';

export type { Emulator };

export const DATABASE_FILE = path.join(__dirname, '..', 'cloudbase', 'database.json');
/** The deploy manifest: each function's timeout, memory and environment variables. */
export const MANIFEST_FILE = path.join(__dirname, '..', 'cloudbaserc.json');

const SEED_SIZES: readonly string[] = ['demo', 'district', 'none'] satisfies SeedSize[];

/** The demo district (seed/): `demo` ≈ 400 members, `district` 25,000 for benchmarks. */
export const seeder: Seeder = {
  async seed(store, name, _grants, files) {
    if (!SEED_SIZES.includes(name)) throw new Error(`--seed must be ${SEED_SIZES.join(', ')} (not ${name})`);
    const r = await seed(store, { size: name as SeedSize, files });
    return `${r.members} members in ${r.branches} branches`;
  },
  async users(store) {
    return (await listDemoUsers(store)).map((u) => {
      const elder = u.age !== undefined && u.age >= ELDER_AGE;
      // elders see the app in 关怀模式: marked so it is easy to try
      return { openid: u.openid, name: u.name, group: u.role, detail: u.branchName, badge: elder ? `${u.age}岁 · 关怀模式` : undefined, highlight: elder };
    });
  },
  tips: (store) => listDemoTips(store),
};

/** A function's `{ ok: false, error }` becomes `<status of its code> { error }` at the gateway. */
export function gatewayError(result: unknown): GatewayError | undefined {
  if (!isErrorResult(result)) return undefined;
  const { code, message, details } = result.error;
  return { status: statusOf(code), error: details === undefined ? { code, message } : { code, message, details } };
}

/** What this product hands the generic emulator. */
export const PROJECT = {
  database: DATABASE_FILE,
  manifest: MANIFEST_FILE,
  seeder,
  gatewayError,
  appName: '指尖党校',
  subscribeTemplates: subscribeRegistry(),
} satisfies Partial<EmulatorOptions>;

export interface ProductEmulatorOptions extends Omit<EmulatorOptions, 'seed'> {
  seed?: SeedSize;
}

/** The emulator with this product's database, seed and error convention (options override them). */
export function startEmulator(opts: ProductEmulatorOptions): Promise<Emulator> {
  return startGenericEmulator({ ...PROJECT, ...opts });
}
