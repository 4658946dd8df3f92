/**
 * Test projects: `unit` (pure core/ logic), `integration` (cloud functions and the emulator over
 * real HTTP), `component` (a native mini-program component in miniprogram-simulate, jsdom).
 * The browser E2E suite runs separately (`npm run test:e2e`) because it needs the built H5 app.
 */
const tsJest = ['ts-jest', { tsconfig: { isolatedModules: true, module: 'commonjs', jsx: 'react-jsx', esModuleInterop: true, allowJs: true } }];

const base = {
  transform: { '^.+\\.tsx?$': tsJest },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/dist-h5/'],
};

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testEnvironment: 'node', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...base,
      displayName: 'integration',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/emulator/**/*.test.ts', '<rootDir>/test/trust/**/*.test.ts'],
    },
    { ...base, displayName: 'component', testEnvironment: 'jsdom', testMatch: ['<rootDir>/test/component/**/*.test.ts'] },
  ],
};
