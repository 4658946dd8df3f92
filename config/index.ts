import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';
import devConfig from './dev';
import prodConfig from './prod';

/**
 * One config for both targets. Each target writes to its own folder (a shared one would be wiped by
 * the other build); the emulator serves `dist-h5/` as static files with an SPA fallback, hence the
 * hash router and publicPath `/`.
 */
export default defineConfig<'webpack5'>(async (merge) => {
  const isH5 = process.env.TARO_ENV === 'h5';
  // core/ (zod contracts shared with the cloud functions) sits outside src/ and is TypeScript too.
  const compile = { include: [path.resolve(__dirname, '..', 'core')] };
  const baseConfig: UserConfigExport<'webpack5'> = {
    projectName: 'pocket-party-school',
    date: '2025-1-1',
    designWidth: 750,
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: isH5 ? 'dist-h5' : 'dist',
    plugins: [],
    defineConstants: {
      // CloudBase environment id for production builds; empty means the default environment
      // chosen in WeChat DevTools.
      CLOUD_ENV: JSON.stringify(process.env.CLOUD_ENV ?? ''),
    },
    copy: { patterns: [], options: {} },
    framework: 'react',
    compiler: 'webpack5',
    cache: { enable: true },
    sass: {},
    mini: {
      compile,
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
    },
    h5: {
      compile,
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      output: { filename: 'js/[name].[hash:8].js', chunkFilename: 'js/[name].[chunkhash:8].js' },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[hash].css',
        chunkFilename: 'css/[name].[chunkhash].css',
      },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
    },
  };
  if (process.env.NODE_ENV === 'development') return merge({}, baseConfig, devConfig);
  // The H5 app only serves the local emulator (WeChat runs the weapp build, minified and size-checked).
  // `npm test` builds it with H5_UNMINIFIED=1: its E2E checks behaviour, not bytes, and minifying is
  // more than half of the H5 build's time.
  const unminified = isH5 && process.env.H5_UNMINIFIED === '1' ? { terser: { enable: false }, csso: { enable: false } } : {};
  return merge({}, baseConfig, prodConfig, unminified);
});
