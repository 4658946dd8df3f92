export default definePageConfig({
  navigationBarTitleText: '流动党员转接',
  enablePageMeta: true,
});
