export default definePageConfig({
  navigationBarTitleText: '红色手账',
  enablePageMeta: true,
});
