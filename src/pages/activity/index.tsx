import { Text, View } from '@tarojs/components';
import { Page } from '../../components/page';
import { Empty } from '../../components/states';

// Placeholder until the activity feature ships: says so plainly, shows no made-up numbers.
export default function Activity() {
  return (
    <Page className='activity' title='组织生活'>
      <Text className='page-title'>组织生活</Text>
      <View className='card'>
        <Empty text='组织生活通知和签到即将开放'>
          <Text className='muted'>主题党日通知、扫码签到和请假会在这里显示。</Text>
        </Empty>
      </View>
    </Page>
  );
}
