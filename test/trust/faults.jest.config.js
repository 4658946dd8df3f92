/**
 * The full fault sweep (`npm run test:faults`): every fault point of every writing action, where
 * `npm test` tries a seeded sample (test/trust/faults-half-written.test.ts). FAULT_SEED and
 * FAULT_SAMPLE still apply when set.
 */
const { projects, testTimeout } = require('../../jest.config');

// read by the test workers, which start after this file is loaded
process.env.FAULT_SAMPLE ??= 'all';

const integration = projects.find((p) => p.displayName === 'integration');

module.exports = {
  ...integration,
  rootDir: '../..',
  displayName: 'faults',
  testTimeout,
  testMatch: ['<rootDir>/test/trust/faults-half-written.test.ts'],
};
