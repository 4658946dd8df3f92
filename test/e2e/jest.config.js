/** Browser E2E against the built H5 app on the emulator (`npm run test:e2e` builds dist-h5 first). */
module.exports = {
  rootDir: '../..',
  displayName: 'e2e',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: { isolatedModules: true, module: 'commonjs', esModuleInterop: true } }] },
  testTimeout: 120_000,
};
