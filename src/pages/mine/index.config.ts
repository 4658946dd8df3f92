// The native 关怀 badge exists for WeChat only; H5 renders a React look-alike (see index.tsx).
export default definePageConfig({
  navigationBarTitleText: '我的',
  enablePageMeta: true,
  usingComponents:
    process.env.TARO_ENV === 'weapp' ? { 'elder-badge': '../../components/native/elder-badge/index' } : {},
});
