export default definePageConfig({
  navigationBarTitleText: '指尖党校',
  enablePageMeta: true,
});
