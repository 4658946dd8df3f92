export default definePageConfig({
  navigationBarTitleText: '支部党员名册',
  enablePageMeta: true,
});
