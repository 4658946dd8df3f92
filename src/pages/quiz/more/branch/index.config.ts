export default definePageConfig({
  navigationBarTitleText: '支部答题情况',
  enablePageMeta: true,
});
