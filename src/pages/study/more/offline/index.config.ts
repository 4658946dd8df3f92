export default definePageConfig({
  navigationBarTitleText: '线下学习记录',
  enablePageMeta: true,
});
