export default definePageConfig({
  navigationBarTitleText: '学习',
  enablePageMeta: true,
});
