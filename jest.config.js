/**
 * Test projects: `unit` (pure core/ logic), `integration` (cloud functions and the emulator over
 * real HTTP), `component` (a native mini-program component in miniprogram-simulate, jsdom), `weapp`
 * (paths that exist only on WeChat: static checks over src/ and the app config, the platform wrappers
 * against a wx double).
 * The browser E2E suite runs separately (`npm run test:e2e`) because it needs the built H5 app, and
 * the full fault sweep too (`npm run test:faults`, test/trust/faults.jest.config.js).
 *
 * The integration project bundles the cloud functions and seeds the demo district once per run
 * (test/setup/global-setup.ts, demo-snapshot.ts) and keeps the stacks of deliberately injected
 * faults out of the output (test/setup/quiet-injected-faults.ts).
 */
const tsJest = ['ts-jest', { tsconfig: { isolatedModules: true, module: 'commonjs', jsx: 'react-jsx', esModuleInterop: true, allowJs: true } }];

const base = {
  transform: { '^.+\\.tsx?$': tsJest },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/dist-h5/'],
};

module.exports = {
  // an emulator suite's hooks and tests on a busy 2-core machine; longer work says so where it is
  testTimeout: 60_000,
  // a suite on the emulator mostly waits (HTTP, function instances, SQLite) and uses well under one
  // core, so one worker per core, where jest's default keeps one core idle (in-band on 2 cores)
  maxWorkers: '100%',
  projects: [
    { ...base, displayName: 'unit', testEnvironment: 'node', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...base,
      displayName: 'integration',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/emulator/**/*.test.ts', '<rootDir>/test/trust/**/*.test.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFiles: ['<rootDir>/test/setup/quiet-injected-faults.ts'],
    },
    { ...base, displayName: 'component', testEnvironment: 'jsdom', testMatch: ['<rootDir>/test/component/**/*.test.ts'] },
    // WeChat-only paths: the app config and src/ read statically, the platform wrappers against a wx double
    { ...base, displayName: 'weapp', testEnvironment: 'node', testMatch: ['<rootDir>/test/weapp/**/*.test.ts'] },
  ],
};
