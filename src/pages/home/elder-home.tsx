import { Text, View } from '@tarojs/components';
import { studyApi } from '../../api/study';
import { goTab, goTo } from '../../components/states';
import { useRequest } from '../../hooks/use-request';
import { formatWhen, liveTitle } from '../study/format';
import { ActivityTaskCard } from '../activity/components/home-card';
import './elder-home.scss';

/**
 * 关怀模式 home: three large buttons and nothing else to find. 看直播 goes straight into the lesson
 * on air (or the next one), so an elder reaches it in one tap.
 */
export function ElderHome({ name }: { name: string }) {
  const live = useRequest(() => studyApi.lessons({ kind: 'live' }), [], { refreshOnShow: true });
  const progress = useRequest(() => studyApi.progress(), [], { refreshOnShow: true });
  const lessons = live.data ?? [];
  const onAir = lessons.find((l) => l.live?.state === 'live');
  const next = lessons
    .filter((l) => l.live?.state === 'upcoming')
    .sort((a, b) => a.live!.startsAt.localeCompare(b.live!.startsAt))[0];
  const target = onAir ?? next;
  const liveLine = live.error
    ? live.error.message
    : live.data === undefined
      ? '正在查看直播…'
      : onAir
        ? `正在直播：${liveTitle(onAir.title)}`
        : next
          ? `${formatWhen(next.live!.startsAt)} 开播：${next.title}`
          : '现在没有直播';
  const p = progress.data;
  return (
    <View className='elder-home' id='elder-home'>
      <Text className='elder-hello' id='home-greeting'>
        {name}同志，您好
      </Text>
      <View className='elder-btn elder-btn-quiz' id='elder-quiz' aria-role='button' onClick={() => goTo('/pages/quiz/index')}>
        <Text className='elder-btn-title'>今日答题</Text>
        <Text className='elder-btn-sub'>每天几道题，巩固学习</Text>
      </View>
      <View
        className='elder-btn elder-btn-live'
        id='elder-live'
        aria-role='button'
        onClick={() => (target ? goTo(`/pages/study/lesson/index?id=${target.id}`) : goTab('/pages/study/index'))}
      >
        <Text className='elder-btn-title'>看直播</Text>
        <Text className='elder-btn-sub' id='elder-live-line'>
          {liveLine}
        </Text>
      </View>
      <View className='elder-btn elder-btn-study' id='elder-study' aria-role='button' onClick={() => goTab('/pages/study/index')}>
        <Text className='elder-btn-title'>我的学时</Text>
        <Text className='elder-btn-sub'>{p ? `今年已学 ${p.hours} 学时，要求 ${p.targetHours} 学时` : '查看今年的学习情况'}</Text>
      </View>
      {/* the branch's notices, in large type, one tap from sign-in */}
      <ActivityTaskCard />
    </View>
  );
}
