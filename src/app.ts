import { createElement, type PropsWithChildren } from 'react';
import { useLaunch } from '@tarojs/taro';
import { initCloud } from './api';
import { ElderContext } from './elder/context';
import { elderStore } from './elder/store';
import './app.scss';

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    // weapp only (no-op on H5, where the gateway is plain HTTP)
    initCloud();
  });
  return createElement(ElderContext.Provider, { value: elderStore }, children);
}

export default App;
