import type { ReactNode } from 'react';
import { NavigationBar, PageMeta, View } from '@tarojs/components';
import { useDidShow, useRouter } from '@tarojs/taro';
import { AppTabBar } from '../custom-tab-bar';
import { currentTab, tabIndexOf } from '../custom-tab-bar/tabs';
import { useElder } from '../elder/context';
import { PrivacySheet } from '../platform/privacy-sheet';
import './components.scss';

/**
 * Root of every page. Puts the theme class (`elder` in 关怀模式) on the page's root node.
 *
 * On WeChat it also renders `page-meta root-font-size="system"` (Taro needs `enablePageMeta: true`
 * in the page config), so `rem` follows the user's WeChat font setting. Taro 4.2.1's page-meta
 * template has no `page-font-size` attribute (a pageFontSize prop would be dropped), hence
 * root-font-size, which WeChat's 适老化 guide offers for the same purpose.
 * Taro's page-meta template always contains a `navigation-bar`, so the bar's title and colours are
 * given here explicitly rather than left to bind to nothing. Sized text uses rpx, which WeChat does
 * not scale; for that the app offers 关怀模式 when WeChat's font scale is large
 * (elder/store.ts `wechatFontScale`).
 *
 * The tab bar is the app's own (custom-tab-bar/): a tab page tells it which tab is on show, and on
 * H5, where Taro draws none, renders it below the content.
 */
export function Page({ children, className, title }: { children?: ReactNode; className?: string; title: string }) {
  const { on } = useElder();
  const cls = ['page', on ? 'elder' : '', className ?? ''].filter(Boolean).join(' ');
  const tab = tabIndexOf(useRouter().path);
  useDidShow(() => {
    if (tab >= 0) currentTab.set(tab);
  });
  return (
    <>
      {process.env.TARO_ENV === 'weapp' ? (
        <PageMeta rootFontSize='system'>
          <NavigationBar title={title} frontColor='#ffffff' backgroundColor='#C8161D' />
        </PageMeta>
      ) : null}
      <View className={cls}>
        {children}
        {process.env.TARO_ENV === 'weapp' ? <PrivacySheet /> : null}
      </View>
      {process.env.TARO_ENV === 'h5' && tab >= 0 ? <AppTabBar current={tab} /> : null}
    </>
  );
}
