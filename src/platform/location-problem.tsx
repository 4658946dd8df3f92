import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { ApiError } from '../api/errors';
import { BigButton } from '../components/big-button';
import { openLocationSettings } from './location';

/**
 * A location refusal in words, and 去设置 when the settings page is the way out (WeChat opens it only
 * from a tap). `onAllowed` runs when the person comes back with location switched on.
 */
export function LocationProblem({ error, onAllowed }: { error: ApiError; onAllowed?: () => void }) {
  const canOpen = (error.details as { openSettings?: boolean } | undefined)?.openSettings === true;
  return (
    <View className='location-problem' id='location-problem'>
      <Text className='notice error'>{error.message}</Text>
      {canOpen && process.env.TARO_ENV === 'weapp' ? (
        <BigButton
          small
          kind='default'
          id='location-settings'
          onClick={() => {
            void openLocationSettings(Taro).then((allowed) => {
              if (allowed) onAllowed?.();
            });
          }}
        >
          去设置
        </BigButton>
      ) : null}
    </View>
  );
}
