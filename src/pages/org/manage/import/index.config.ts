export default definePageConfig({
  navigationBarTitleText: '批量导入党员',
  enablePageMeta: true,
});
