import { Text, View } from '@tarojs/components';
import { studyApi } from '../../api/study';
import { BigButton } from '../../components/big-button';
import { goTab, goTo } from '../../components/states';
import { useRequest } from '../../hooks/use-request';
import { liveTitle } from './format';

/**
 * The home page's study card: this year's 学时 against the target, and — when a live lesson is on
 * air or about to start — one tap into it.
 */
export function StudyTaskCard() {
  const progress = useRequest(() => studyApi.progress(), [], { refreshOnShow: true });
  const live = useRequest(() => studyApi.lessons({ kind: 'live' }), [], { refreshOnShow: true });
  const onAir = live.data?.find((l) => l.live?.state === 'live');
  const p = progress.data;
  return (
    <View className='card study-task' id='home-study-card'>
      <View className='row' onClick={() => goTab('/pages/study/index')}>
        <View className='task-main'>
          <Text className='text task-title'>学习</Text>
          <Text className='muted' id='home-study-hours'>
            {p ? `${p.year} 年已学 ${p.hours} / ${p.targetHours} 学时` : progress.error ? progress.error.message : '正在加载学时…'}
          </Text>
        </View>
        {p ? <Text className={`badge ${p.ratio >= 1 ? '' : 'gold'}`}>{Math.round(p.ratio * 100)}%</Text> : null}
      </View>
      {onAir ? (
        <BigButton id='home-live-join' onClick={() => goTo(`/pages/study/lesson/index?id=${onAir.id}`)}>
          直播中：{liveTitle(onAir.title)}
        </BigButton>
      ) : null}
    </View>
  );
}
