import type { ReactNode } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { ApiError } from '../api';
import type { RequestState } from '../hooks/use-request';
import { BigButton } from './big-button';

export function Loading({ text = '正在加载…' }: { text?: string }) {
  return (
    <View className='state state-loading'>
      <View className='spinner' />
      <Text className='state-text'>{text}</Text>
    </View>
  );
}

export function Empty({ text, children }: { text: string; children?: ReactNode }) {
  return (
    <View className='state state-empty'>
      <Text className='state-text'>{text}</Text>
      {children}
    </View>
  );
}

function goDevSignIn() {
  if (typeof window !== 'undefined') window.location.href = '/dev';
}

/** An error a person can act on: what happened and 重试; on H5 without a sign-in, the way to sign in. */
export function ErrorState({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const needsSignIn = process.env.TARO_ENV === 'h5' && error.code === 'UNAUTHENTICATED';
  return (
    <View className='state state-error'>
      <Text className='state-text'>{needsSignIn ? '还没有登录（本地开发环境）' : error.message}</Text>
      {needsSignIn ? (
        <BigButton id='go-dev-signin' onClick={goDevSignIn}>
          去开发登录页
        </BigButton>
      ) : onRetry ? (
        <BigButton className='retry-btn' kind='default' onClick={onRetry}>
          重试
        </BigButton>
      ) : null}
    </View>
  );
}

/**
 * A write that failed: what happened, in plain Chinese, and — when sending it again may help (the
 * network, a crash, a timeout) — 重试, which sends the very same request. BigButton keeps the
 * 关怀模式 target size.
 */
export function SubmitError({ id, message, onRetry, busy }: { id: string; message: string; onRetry?: () => void; busy?: boolean }) {
  return (
    <View className='submit-error' id={id}>
      <Text className='field-error' id={`${id}-text`}>
        {message}
      </Text>
      {onRetry ? (
        <BigButton id={`${id}-retry`} className='retry-btn' kind='default' busy={busy} onClick={onRetry}>
          重试
        </BigButton>
      ) : null}
    </View>
  );
}

/** Renders the three states of a request and hands the data to `children` once it is there. */
export function Async<T>({
  req,
  children,
  isEmpty,
  emptyText = '暂无内容',
}: {
  req: RequestState<T>;
  children: (data: T) => ReactNode;
  isEmpty?: (data: T) => boolean;
  emptyText?: string;
}) {
  if (req.error) return <ErrorState error={req.error} onRetry={req.reload} />;
  if (req.loading && req.data === undefined) return <Loading />;
  if (req.data === undefined) return <Loading />;
  if (isEmpty?.(req.data)) return <Empty text={emptyText} />;
  return <>{children(req.data)}</>;
}

export function goTo(url: string) {
  Taro.navigateTo({ url }).catch(() => Taro.redirectTo({ url }));
}

export function goTab(url: string) {
  Taro.switchTab({ url });
}
