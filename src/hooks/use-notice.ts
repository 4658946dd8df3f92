import { useCallback, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { useElder } from '../elder/context';

/**
 * Small confirmations: a toast normally; in 关怀模式 an inline line of text instead (no pop-ups),
 * which stays long enough to be read.
 */
export function useNotice(): { notice: string; notify(text: string): void; clear(): void } {
  const { on: elder } = useElder();
  const [notice, setNotice] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const clear = useCallback(() => setNotice(''), []);
  const notify = useCallback(
    (text: string) => {
      if (!elder) {
        Taro.showToast({ title: text, icon: 'none', duration: 2000 });
        return;
      }
      setNotice(text);
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => setNotice(''), 8000);
    },
    [elder],
  );
  return { notice, notify, clear };
}
