/** Browser E2E against the built H5 app on the emulator (`npm run test:e2e` builds dist-h5 first). */
module.exports = {
  rootDir: '../..',
  displayName: 'e2e',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: { isolatedModules: true, module: 'commonjs', esModuleInterop: true } }] },
  // the cloud functions bundled, the demo district seeded and Chromium started once for all the
  // suites; injected faults' stacks stay out of the output
  globalSetup: '<rootDir>/test/e2e/global-setup.ts',
  globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup/quiet-injected-faults.ts'],
  testTimeout: 120_000,
  // each suite has its own emulator and browser contexts: two at a time on 2 cores (three were
  // slower, since Chromium and the emulator keep the cores busy)
  maxWorkers: '100%',
};
