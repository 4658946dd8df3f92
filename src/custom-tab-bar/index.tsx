import { useSyncExternalStore } from 'react';
import Taro from '@tarojs/taro';
import { Image, Text, View } from '@tarojs/components';
import { useElder } from '../elder/context';
import { currentTab, TABS } from './tabs';
import './index.scss';

/**
 * The app's own tab bar (`tabBar.custom` in app.config.ts): WeChat's native one cannot be enlarged,
 * and 关怀模式 needs labels of 18 px and targets of 60×60 at least. In the normal theme it keeps the
 * native look (10 px labels, 50 px high). On WeChat this folder is the custom-tab-bar component; on
 * H5, where Taro 4 draws no custom tab bar, each tab page renders it at its foot (components/page.tsx).
 */
export function AppTabBar({ current, fixed }: { current: number; fixed?: boolean }) {
  const { on } = useElder();
  const cls = ['app-tab-bar', fixed ? 'app-tab-bar--fixed' : '', on ? 'app-tab-bar--elder' : ''].filter(Boolean).join(' ');
  return (
    <View className={cls} id='app-tab-bar'>
      {TABS.map((t, i) => (
        <View
          key={t.path}
          className={`app-tab-item ${i === current ? 'app-tab-item--on' : ''}`}
          data-index={String(i)}
          aria-role='tab'
          aria-selected={i === current}
          onClick={() => {
            if (i !== current) void Taro.switchTab({ url: `/${t.path}` });
          }}
        >
          <Image className='app-tab-icon' src={i === current ? t.iconOn : t.icon} mode='aspectFit' />
          <Text className='app-tab-label'>{t.text}</Text>
        </View>
      ))}
    </View>
  );
}

/** WeChat's custom-tab-bar entry: the tab on show comes from the page that reported itself. */
export default function CustomTabBar() {
  const current = useSyncExternalStore(currentTab.subscribe, currentTab.get, currentTab.get);
  return <AppTabBar current={current} fixed />;
}
