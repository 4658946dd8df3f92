// Tab pages and the join page live in the main package; everything a secretary or organiser uses
// is a subpackage, so a member's first download stays small.
export default defineAppConfig({
  pages: ['pages/home/index', 'pages/study/index', 'pages/activity/index', 'pages/activity/detail/index', 'pages/mine/index', 'pages/org/join/index', 'pages/study/lesson/index', 'pages/quiz/index'],
  subPackages: [
    {
      root: 'pages/org/manage',
      pages: ['invite/index', 'applications/index', 'members/index', 'import/index', 'move/index'],
    },
    { root: 'pages/activity/more', pages: ['edit/index', 'qr/index', 'roster/index', 'ledger/index'] },
    { root: 'pages/study/more', pages: ['branch/index', 'offline/index', 'publish/index'] },
    { root: 'pages/quiz/more', pages: ['wrong/index', 'practice/index', 'points/index', 'rank/index', 'branch/index', 'bank/index'] },
  ],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#C8161D',
    navigationBarTitleText: '指尖党校',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f5f5f5',
  },
  tabBar: {
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
