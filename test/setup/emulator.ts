/**
 * An emulator for one integration suite, as the suites start it: the product's database and seed,
 * strict, the test identity header, the demo district, no timers firing on their own, every function
 * secret generated, a throwaway data folder (holding the run's demo district, demo-snapshot.ts) and no
 * H5 build. Each suite starts its own on a free port; options override any of these.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { startEmulator, type Emulator, type ProductEmulatorOptions } from '../../scripts/local-cloud';
import { requiredSecretNames } from '../../core/fn/secrets';
import { freshDataDir } from './demo-snapshot';

export function startTestEmulator(name: string, opts: Partial<ProductEmulatorOptions> & Pick<ProductEmulatorOptions, 'functionsDir'>): Promise<Emulator> {
  return startEmulator({
    dataDir: freshDataDir(name, opts.seed ?? 'demo'),
    port: 0,
    strict: true,
    testIdentityHeader: true,
    seed: 'demo',
    secrets: requiredSecretNames(),
    triggers: false,
    h5Dir: fs.mkdtempSync(path.join(os.tmpdir(), `${name}-noh5-`)),
    log: () => undefined,
    ...opts,
  });
}
