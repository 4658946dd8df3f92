import type { ReactNode } from 'react';
import { View } from '@tarojs/components';

export interface BigButtonProps {
  children?: ReactNode;
  onClick?: () => void;
  kind?: 'primary' | 'default' | 'danger' | 'plain';
  disabled?: boolean;
  /** shows a busy label and ignores taps, so a double tap sends one request */
  busy?: boolean;
  id?: string;
  className?: string;
  small?: boolean;
}

/** A full-width button with a large target (88px, 120px in 关怀模式). */
export function BigButton({ children, onClick, kind = 'primary', disabled, busy, id, className, small }: BigButtonProps) {
  const off = !!disabled || !!busy;
  const cls = ['big-btn', `big-btn-${kind}`, small ? 'big-btn-small' : '', off ? 'big-btn-off' : '', className ?? '']
    .filter(Boolean)
    .join(' ');
  return (
    <View
      id={id}
      className={cls}
      hoverClass={off ? 'none' : 'big-btn-hover'}
      aria-disabled={off}
      aria-role='button'
      onClick={off ? undefined : onClick}
    >
      {busy ? '请稍候…' : children}
    </View>
  );
}
