/// <reference types="@tarojs/taro" />

declare module '*.png';
declare module '*.svg';
declare module '*.scss';
declare module '*.css';

/** CloudBase environment id, injected by config/index.ts (empty: DevTools' default environment). */
declare const CLOUD_ENV: string;

declare namespace NodeJS {
  interface ProcessEnv {
    NODE_ENV: 'development' | 'production' | 'test';
    TARO_ENV: 'weapp' | 'h5' | 'swan' | 'alipay' | 'tt' | 'qq' | 'jd' | 'rn' | 'harmony';
    TARO_APP_ID?: string;
    CLOUD_ENV?: string;
  }
}
