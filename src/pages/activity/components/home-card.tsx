import { Text, View } from '@tarojs/components';
import { activityApi } from '../../../api/activity';
import { goTab, goTo } from '../../../components/states';
import { useRequest } from '../../../hooks/use-request';
import { myStatus, timeRange } from '../shared';

/**
 * The home page's 组织生活 card: the next published notice of the member's branch, with a badge for
 * unread or changed notices and for a sign-in that is open now.
 */
export function ActivityTaskCard() {
  const req = useRequest(() => activityApi.list({ limit: 10 }), [], { refreshOnShow: true });
  const items = req.data?.items ?? [];
  const now = Date.now();
  const next =
    items.find((i) => i.status === 'published' && i.phase === 'signin' && i.required && !i.mine) ??
    [...items].reverse().find((i) => i.status === 'published' && new Date(i.endAt).getTime() > now) ??
    null;
  const badge = req.data?.badge ?? 0;
  return (
    <View className='card' id='home-activity'>
      <View className='list-item task task-activity' onClick={() => (next ? goTo(`/pages/activity/detail/index?id=${next.id}`) : goTab('/pages/activity/index'))}>
        <View className='task-main'>
          <Text className='text task-title'>组织生活</Text>
          {req.error ? (
            <Text className='muted'>暂时无法加载，点此查看</Text>
          ) : req.data === undefined ? (
            <Text className='muted'>正在加载…</Text>
          ) : next ? (
            <>
              <Text className='muted' id='home-activity-title'>{next.title}</Text>
              <Text className='muted'>{timeRange(next)}</Text>
            </>
          ) : (
            <Text className='muted'>暂时没有新的活动通知</Text>
          )}
        </View>
        {next ? <Text className={`badge ${myStatus(next).cls}`}>{myStatus(next).text}</Text> : null}
        {badge ? (
          // a bare red number said nothing: it counts notices not yet read (or changed) and sign-ins open now
          <View className='badge red' id='home-activity-badge-box' aria-label={`${badge} 条通知待查看或待签到`}>
            <Text id='home-activity-badge'>{badge}</Text>
            <Text> 条待查看</Text>
          </View>
        ) : null}
      </View>
    </View>
  );
}
