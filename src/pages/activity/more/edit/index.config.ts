export default definePageConfig({
  navigationBarTitleText: '活动通知',
  enablePageMeta: true,
});
