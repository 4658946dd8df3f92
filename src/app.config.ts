// Tab pages and the join page live in the main package; everything a secretary or organiser uses
// is a subpackage, so a member's first download stays small.
export default defineAppConfig({
  pages: ['pages/home/index', 'pages/study/index', 'pages/activity/index', 'pages/activity/detail/index', 'pages/mine/index', 'pages/org/join/index', 'pages/study/lesson/index', 'pages/quiz/index'],
  subPackages: [
    {
      root: 'pages/org/manage',
      pages: ['invite/index', 'applications/index', 'members/index', 'import/index', 'move/index'],
    },
    { root: 'pages/activity/more', pages: ['edit/index', 'qr/index', 'roster/index', 'ledger/index', 'minutes/index', 'cadence/index'] },
    { root: 'pages/study/more', pages: ['branch/index', 'offline/index', 'publish/index'] },
    { root: 'pages/quiz/more', pages: ['wrong/index', 'practice/index', 'points/index', 'rank/index', 'branch/index', 'bank/index'] },
  ],
  // Location: both calls must be declared (required since 2022-07-14) and scope.userLocation needs the
  // purpose WeChat shows when it asks. developers.weixin.qq.com/miniprogram/dev/reference/configuration/app.html
  // (#requiredPrivateInfos, #permission). The same 位置信息 must be declared in the console's
  // 用户隐私保护指引 (docs/deploy.md); src/platform/ holds the calls and the privacy sheet.
  requiredPrivateInfos: ['getLocation', 'chooseLocation'],
  permission: {
    'scope.userLocation': { desc: '用于在活动地点签到时核对您的位置，以及书记选择活动地点' },
  },
  // 关怀模式 read-aloud on WeChat: the 微信同声传译 plugin's textToSpeech (src/pages/study/read-aloud.ts).
  // It must also be added in the console (设置 → 第三方设置 → 插件管理, docs/deploy.md) before the first upload.
  // developers.weixin.qq.com/miniprogram/dev/platform-capabilities/extended/translator.html
  plugins: {
    WechatSI: { version: '0.3.5', provider: 'wx069ba97219f66d99' },
  },
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#C8161D',
    navigationBarTitleText: '指尖党校',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f5f5f5',
  },
  // custom: the app draws its own tab bar (src/custom-tab-bar/), which 关怀模式 can enlarge; the list
  // still tells WeChat which pages are tabs
  tabBar: {
    custom: true,
    color: '#4a4a4a',
    selectedColor: '#C8161D',
    backgroundColor: '#ffffff',
    borderStyle: 'black',
    list: [
      { pagePath: 'pages/home/index', text: '首页', iconPath: 'assets/tab/home.png', selectedIconPath: 'assets/tab/home-active.png' },
      { pagePath: 'pages/study/index', text: '学习', iconPath: 'assets/tab/study.png', selectedIconPath: 'assets/tab/study-active.png' },
      { pagePath: 'pages/activity/index', text: '活动', iconPath: 'assets/tab/activity.png', selectedIconPath: 'assets/tab/activity-active.png' },
      { pagePath: 'pages/mine/index', text: '我的', iconPath: 'assets/tab/mine.png', selectedIconPath: 'assets/tab/mine-active.png' },
    ],
  },
});
