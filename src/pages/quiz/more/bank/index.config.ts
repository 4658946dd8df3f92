export default definePageConfig({
  navigationBarTitleText: '题库管理',
  enablePageMeta: true,
});
