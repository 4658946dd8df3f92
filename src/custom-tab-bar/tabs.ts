import homeIcon from '../assets/tab/home.png';
import homeIconOn from '../assets/tab/home-active.png';
import studyIcon from '../assets/tab/study.png';
import studyIconOn from '../assets/tab/study-active.png';
import activityIcon from '../assets/tab/activity.png';
import activityIconOn from '../assets/tab/activity-active.png';
import mineIcon from '../assets/tab/mine.png';
import mineIconOn from '../assets/tab/mine-active.png';

/** The four tabs, in the order of app.config.ts `tabBar.list` (which WeChat still needs to know the tab pages). */
export const TABS = [
  { path: 'pages/home/index', text: '首页', icon: homeIcon, iconOn: homeIconOn },
  { path: 'pages/study/index', text: '学习', icon: studyIcon, iconOn: studyIconOn },
  { path: 'pages/activity/index', text: '活动', icon: activityIcon, iconOn: activityIconOn },
  { path: 'pages/mine/index', text: '我的', icon: mineIcon, iconOn: mineIconOn },
] as const;

/** The tab of a route ('/pages/home/index?x=1', 'pages/home/index'), or -1 for a page that is not a tab. */
export function tabIndexOf(route: string | undefined): number {
  const path = (route ?? '').split('?')[0].replace(/^\/+/, '');
  return TABS.findIndex((t) => t.path === path);
}

type Listener = () => void;
let current = -1;
const listeners = new Set<Listener>();

/**
 * The tab on show. WeChat gives every tab page its own tab bar instance and says nothing about which
 * page it belongs to, so each tab page reports itself when shown (components/page.tsx).
 */
export const currentTab = {
  get: () => current,
  set(index: number) {
    if (index === current) return;
    current = index;
    listeners.forEach((l) => l());
  },
  subscribe(l: Listener) {
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  },
};
