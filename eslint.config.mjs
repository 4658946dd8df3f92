// @ts-check
// Lint enforces the architecture (which folder may import which, no import cycles) and keeps the
// typescript-eslint recommended rules that catch bugs; tsc does the type checking. `npm run lint`.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import local from './eslint.local-rules.mjs';

const TOOLING = ['./test', './scripts', './bench', './seed'];

/**
 * The layers: `core/` is pure domain logic shared by the app and the functions; `cloudfunctions/`
 * deploy to CloudBase and bundle core only; `src/` is the app; `emulator/` is a generic local
 * CloudBase that knows nothing of this product (the database file in `cloudbase/`, the seed and
 * the functions are handed to it). Tests, scripts, the bench and the demo seed may import any
 * layer; no layer imports them.
 */
const zones = [
  {
    target: './core',
    from: ['./src', './cloudfunctions', './emulator', ...TOOLING],
    message: 'core/ is pure domain logic: it imports no app, function, emulator or tooling code.',
  },
  {
    target: './cloudfunctions',
    from: ['./src', './emulator', ...TOOLING],
    message: 'a cloud function bundles only itself and core/: it deploys to CloudBase without the app or the emulator.',
  },
  {
    target: './src',
    from: ['./cloudfunctions', './emulator', ...TOOLING],
    message: 'the app reaches functions through callFunction and shares only core/.',
  },
  {
    target: './emulator',
    from: ['./core', './cloudfunctions', './src', './cloudbase', ...TOOLING],
    message: 'the emulator is generic CloudBase: product knowledge (database file, errors, seed, checks) is passed in by the start script.',
  },
];

export default defineConfig([
  globalIgnores([
    '**/node_modules/',
    'dist/',
    'dist-*/',
    '.data/',
    '.swc/',
    'coverage/',
    'test-output/',
    'bench/results/',
    // esbuild bundles written by `npm run build:functions`
    'cloudfunctions/*/index.js',
  ]),
  {
    files: ['{src,core,cloudfunctions,emulator,scripts,test,bench,seed,config,types}/**/*.{ts,tsx,js,mjs,cjs}', '*.{js,mjs,cjs}'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { 'import-x': importX, local },
    settings: {
      // Which files import-x follows for no-cycle (without it, .ts files are silently skipped).
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'] })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'local/no-type-import-cycle': 'error',
      // An unused `_name` is deliberate: a parameter kept for its position, a property dropped by a rest copy.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Loaded with require() on purpose: wx-server-sdk is handed to the spine by each function, and
      // exceljs (large) only when an export runs, so a cold start does not pay for it.
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^wx-server-sdk$', '^exceljs$'] }],
      // A line is read without scrolling. (Core's max-len is kept until ESLint 11, then @stylistic/max-len.)
      'max-len': ['error', { code: 200, ignoreUrls: true }],
      // a `let` read by a callback before its one assignment (a server handler, then the host it calls) stays `let`
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Untyped JSON is the subject matter at the emulator's wire and in test assertions; `unknown`
    // there would add casts, not safety. Product code (core, cloudfunctions, src) keeps the rule.
    files: ['{emulator,scripts,test,bench,seed}/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // CommonJS: configs, native mini-program components, plain CloudBase functions used as fixtures.
    files: ['**/*.{js,cjs}'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // A native WeChat component: the mini-program runtime provides these.
    files: ['src/components/native/**/*.js'],
    languageOptions: { globals: { Component: 'readonly', wx: 'readonly', getApp: 'readonly' } },
  },
]);
