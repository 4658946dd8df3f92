/** Jest global teardown: removes the run's demo snapshot (demo-snapshot.ts). */
import { removeDemoSnapshot } from './demo-snapshot';

export default async function globalTeardown(): Promise<void> {
  removeDemoSnapshot();
}
