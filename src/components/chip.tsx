import type { ReactNode } from 'react';
import { View } from '@tarojs/components';

type DataAttributes = { [attr: `data-${string}`]: string | undefined };

/**
 * One choice in a row of chips (`<View className='chips'>`): a pill with a large target (120px in
 * 关怀模式), red when chosen. `className` adds the handle a page or a test selects by.
 */
export function Chip({ on, className, onClick, children, ...data }: { on: boolean; className?: string; onClick: () => void; children?: ReactNode } & DataAttributes) {
  return (
    <View className={['chip', className ?? '', on ? 'chip-on' : ''].filter(Boolean).join(' ')} onClick={onClick} {...data}>
      {children}
    </View>
  );
}
