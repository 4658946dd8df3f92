import { useState } from 'react';
import { Text, View } from '@tarojs/components';
import type { ActivityOutputs } from '../../../api/activity';
import { BigButton } from '../../../components/big-button';
import { goTo } from '../../../components/states';
import { useRequest } from '../../../hooks/use-request';
import { useSubmit } from '../../../hooks/use-submit';
import { JOINT_STATUS_LABEL, jointApi, timeRange } from '../shared';

type Invite = ActivityOutputs['jointInvites']['items'][number];

function InviteRow({ item, onAnswered }: { item: Invite; onAnswered: (text: string) => void }) {
  const a = item.activity;
  const submit = useSubmit<void, 'accept' | 'decline'>();
  const open = item.invite.status !== 'accepted' && a.phase !== 'closed' && a.status === 'published' && Date.now() < new Date(a.startAt).getTime();
  const answer = (decision: 'accept' | 'decline') =>
    submit.send(async () => {
      const r = await jointApi.respond({ id: a.id, decision });
      onAnswered(decision === 'accept' ? `已接受，本支部 ${r.added} 名党员已列入应到名单` : '已婉拒，本支部党员不参加这次活动');
    }, decision);
  const cls = item.invite.status === 'accepted' ? '' : item.invite.status === 'declined' ? 'grey' : 'gold';
  return (
    <View className='notice-item joint-item' data-id={a.id} id={`joint-${a.id}`}>
      <View className='notice-head'>
        <Text className='notice-title'>{a.title}</Text>
        <Text className={`badge ${cls} joint-status`}>{JOINT_STATUS_LABEL[item.invite.status]}</Text>
      </View>
      <Text className='notice-meta'>
        {a.hostBranchName} 发起 · {a.typeLabel} · {timeRange(a)} · {a.place.name}
      </Text>
      {submit.error ? <Text className='field-error'>{submit.error.message}</Text> : null}
      {open ? (
        <View className='actions'>
          <BigButton small id={`joint-accept-${a.id}`} busy={submit.busyKey === 'accept'} onClick={() => answer('accept')}>
            接受
          </BigButton>
          <BigButton small kind='default' id={`joint-decline-${a.id}`} busy={submit.busyKey === 'decline'} disabled={item.invite.status === 'declined'} onClick={() => answer('decline')}>
            婉拒
          </BigButton>
        </View>
      ) : null}
      {item.invite.status === 'accepted' ? (
        <Text className='link' onClick={() => goTo(`/pages/activity/detail/index?id=${a.id}`)}>
          查看活动与本支部名单
        </Text>
      ) : null}
    </View>
  );
}

/**
 * 联建邀请 for the branch secretary: activities other branches of the community have published
 * with this branch invited. Only an accepted invitation puts this branch's members on the roster;
 * until then they do not see the activity.
 */
export function JointInvites() {
  const req = useRequest(() => jointApi.invites({}), [], { refreshOnShow: true });
  const [done, setDone] = useState('');
  const items = req.data?.items ?? [];
  if (!items.length) return null;
  const pending = items.filter((i) => i.invite.status === 'pending').length;
  return (
    <View className='card' id='activity-joint-invites'>
      <Text className='card-title'>联建邀请{pending ? `（${pending} 个待回复）` : ''}</Text>
      <Text className='muted'>接受后，本支部党员才会列入应到名单并收到通知；本支部党员的请假、代签和出勤更正仍由您处理。</Text>
      {done ? <Text className='notice' id='joint-notice'>{done}</Text> : null}
      {items.map((i) => (
        <InviteRow
          key={i.activity.id}
          item={i}
          onAnswered={(t) => {
            setDone(t);
            req.reload();
          }}
        />
      ))}
    </View>
  );
}
