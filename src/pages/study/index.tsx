import { Text, View } from '@tarojs/components';
import { Page } from '../../components/page';
import { Empty } from '../../components/states';

// Placeholder until the study feature ships: says so plainly, shows no made-up numbers.
export default function Study() {
  return (
    <Page className='study' title='学习'>
      <Text className='page-title'>学习</Text>
      <View className='card'>
        <Empty text='学时记录即将开放'>
          <Text className='muted'>每日答题、课程学习和年度学时进度会在这里显示。</Text>
        </Empty>
      </View>
    </Page>
  );
}
