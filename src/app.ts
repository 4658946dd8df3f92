import { createElement, type PropsWithChildren } from 'react';
import Taro, { useLaunch } from '@tarojs/taro';
import { initCloud } from './api';
import { ElderContext } from './elder/context';
import { elderStore } from './elder/store';
import { startPrivacyFlow } from './platform/privacy';
import './app.scss';

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    // weapp only (no-op on H5, where the gateway is plain HTTP)
    initCloud();
    // before any page can call a privacy API: WeChat holds such calls until the person answers
    if (process.env.TARO_ENV === 'weapp') startPrivacyFlow(Taro);
  });
  return createElement(ElderContext.Provider, { value: elderStore }, children);
}

export default App;
