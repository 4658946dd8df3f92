export default definePageConfig({
  navigationBarTitleText: '参与排行',
  enablePageMeta: true,
});
