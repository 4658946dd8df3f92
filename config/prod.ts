import type { UserConfigExport } from '@tarojs/cli';

// Production builds minify JS and CSS on both targets (Taro's default for NODE_ENV=production,
// stated here so it is not lost in a refactor).
export default {
  mini: {},
  h5: {},
  terser: { enable: true },
  csso: { enable: true },
} satisfies UserConfigExport<'webpack5'>;
