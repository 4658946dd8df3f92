import { Text, View } from '@tarojs/components';
import { activityApi, type NoticeItem } from '../../api/activity';
import { orgApi } from '../../api/org';
import { BigButton } from '../../components/big-button';
import { Page } from '../../components/page';
import { Async, goTo } from '../../components/states';
import { useElder } from '../../elder/context';
import { useRequest } from '../../hooks/use-request';
import { JointInvites } from './components/joint-invites';
import { CadenceCard, pendingIds } from './components/cadence-card';
import { myStatus, PHASE_LABEL, timeRange } from './shared';
import './activity.scss';

function NoticeRow({ item }: { item: NoticeItem }) {
  const st = myStatus(item);
  return (
    <View className='notice-item' data-id={item.id} onClick={() => goTo(`/pages/activity/detail/index?id=${item.id}`)}>
      <View className='notice-head'>
        <Text className='notice-title'>
          {item.unread && item.status === 'published' ? <Text className='unread-dot' /> : null}
          {item.title}
        </Text>
        {st.text ? <Text className={`badge ${st.cls} my-status`}>{st.text}</Text> : null}
      </View>
      <Text className='notice-meta'>
        {item.typeLabel} · {timeRange(item)} · {item.place.name}
      </Text>
      {item.unread && item.rev > 1 ? <Text className='notice-meta text-warn'>通知有变更，请查看</Text> : null}
    </View>
  );
}

function MakeUps() {
  const req = useRequest(() => activityApi.myMakeUps(), [], { refreshOnShow: true });
  if (!req.data?.items.length) return null;
  return (
    <View className='card' id='activity-makeups'>
      <Text className='card-title'>待补学（{req.data.items.length}）</Text>
      {req.data.items.map(({ activity }) => (
        <View key={activity.id} className='list-item makeup-item' onClick={() => goTo(`/pages/activity/detail/index?id=${activity.id}`)}>
          <View>
            <Text className='text'>{activity.title}</Text>
            <Text className='muted'>{timeRange(activity)}</Text>
          </View>
          <Text className='badge gold'>去补学</Text>
        </View>
      ))}
    </View>
  );
}

export default function Activity() {
  const elder = useElder();
  const list = useRequest(() => activityApi.list({}), [], { refreshOnShow: true });
  const me = useRequest(() => orgApi.me(), []);
  const manages = me.data?.member?.role === 'secretary';
  const cadence = useRequest(() => activityApi.cadence(), [manages], { skip: !manages, refreshOnShow: true });
  const open = list.data?.items.find((i) => i.phase === 'signin' && i.required && !i.mine);
  return (
    <Page className='activity' title='组织生活'>
      <Text className='page-title'>组织生活</Text>
      {open ? (
        <View className='card' id='activity-open'>
          <Text className='card-title'>正在签到：{open.title}</Text>
          <BigButton id='activity-open-signin' onClick={() => goTo(`/pages/activity/detail/index?id=${open.id}&signin=1`)}>
            {elder.on ? '点这里签到' : '去签到'}
          </BigButton>
        </View>
      ) : null}
      <MakeUps />
      {manages ? (
        <View className='card secretary-card'>
          <Text className='card-title'>支部书记</Text>
          <View className='actions'>
            <BigButton small id='activity-new' onClick={() => goTo('/pages/activity/more/edit/index')}>
              发布活动通知
            </BigButton>
            <BigButton small kind='default' id='activity-ledger' onClick={() => goTo('/pages/activity/more/ledger/index')}>
              台账与出勤率
            </BigButton>
          </View>
        </View>
      ) : null}
      {manages && cadence.data ? <CadenceCard d={cadence.data} reload={cadence.reload} /> : null}
      {me.data?.member?.role === 'organiser' ? (
        <View className='card secretary-card' id='activity-organiser'>
          <Text className='card-title'>上级管理员</Text>
          <BigButton small id='activity-cadence' onClick={() => goTo('/pages/activity/more/cadence/index')}>
            三会一课落实情况
          </BigButton>
        </View>
      ) : null}
      {manages ? <JointInvites /> : null}
      <View className='card' id='activity-list'>
        <Text className='card-title'>活动通知</Text>
        <Async req={list} isEmpty={(d) => d.items.length === 0} emptyText='暂时没有活动通知'>
          {(d) => (
            <>
              {d.items.map((i) => (
                <NoticeRow key={i.id} item={i} />
              ))}
            </>
          )}
        </Async>
      </View>
      {manages ? <ManageList pending={pendingIds(cadence.data)} /> : null}
    </Page>
  );
}

function ManageList({ pending }: { pending: Set<string> }) {
  const req = useRequest(() => activityApi.list({ manage: true }), [], { refreshOnShow: true });
  if (!req.data?.items.length) return null;
  return (
    <View className='card' id='activity-manage-list'>
      <Text className='card-title'>本支部发起的活动</Text>
      {req.data.items.map((a) => (
        <View key={a.id} className='notice-item manage-item' data-id={a.id} onClick={() => goTo(`/pages/activity/detail/index?id=${a.id}`)}>
          <View className='notice-head'>
            <Text className='notice-title'>{a.title}</Text>
            {pending.has(a.id) ? <Text className='badge red minutes-due'>待补记录</Text> : null}
            <Text className={`badge ${a.status === 'draft' ? 'gold' : a.phase === 'signin' ? 'red' : 'grey'}`}>{PHASE_LABEL[a.phase]}</Text>
          </View>
          <Text className='notice-meta'>
            {a.typeLabel} · {timeRange(a)}
          </Text>
        </View>
      ))}
    </View>
  );
}
