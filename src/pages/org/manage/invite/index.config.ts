export default definePageConfig({
  navigationBarTitleText: '邀请党员加入',
  enablePageMeta: true,
});
