export default definePageConfig({
  navigationBarTitleText: '组织生活台账',
  enablePageMeta: true,
});
