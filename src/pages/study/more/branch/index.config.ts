export default definePageConfig({
  navigationBarTitleText: '支部学时统计',
  enablePageMeta: true,
});
