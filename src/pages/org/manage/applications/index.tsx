import { useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { orgApi, type ApplicationView } from '../../../../api/org';
import { BigButton } from '../../../../components/big-button';
import { Chip } from '../../../../components/chip';
import { Page } from '../../../../components/page';
import { Async } from '../../../../components/states';
import { useNotice } from '../../../../hooks/use-notice';
import { useRequest } from '../../../../hooks/use-request';
import { useSubmit } from '../../../../hooks/use-submit';
import { formatDate } from '../../../../utils/invite-code';
import '../manage.scss';

type Status = ApplicationView['status'];
const TABS: { key: Status; text: string }[] = [
  { key: 'pending', text: '待审核' },
  { key: 'approved', text: '已同意' },
  { key: 'rejected', text: '已拒绝' },
];

/** One application. Both buttons are disabled while a decision is in flight, so a double tap sends one. */
function Item({ app, onDone, notify }: { app: ApplicationView; onDone(id: string): void; notify(t: string): void }) {
  const submit = useSubmit<void, 'approve' | 'reject'>();
  const busy = submit.busyKey;
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const decide = (decision: 'approve' | 'reject') =>
    submit.send(async () => {
      await orgApi.reviewApplication({ applicationId: app.id, decision, reason: decision === 'reject' && reason.trim() ? reason.trim() : undefined });
      notify(decision === 'approve' ? `已同意 ${app.name} 加入` : `已拒绝 ${app.name} 的申请`);
      onDone(app.id);
    }, decision);
  const pending = app.status === 'pending';
  return (
    <View className='item-col application-item' data-id={app.id}>
      <View className='row'>
        <Text className='card-title application-name'>{app.name}</Text>
        <Text className='text muted'>{app.phone}</Text>
      </View>
      <Text className='muted'>
        申请加入 {app.branchName} · {formatDate(app.createdAt)}
      </Text>
      {app.reason ? <Text className='muted'>说明：{app.reason}</Text> : null}
      {/* only the secretary learns why approving will fail; the applicant was told nothing */}
      {app.conflict ? <Text className='notice error application-conflict'>{app.conflict.message}</Text> : null}
      {submit.error ? <Text className='notice error'>{submit.error.message}</Text> : null}
      {pending && !rejecting ? (
        <View className='actions'>
          <BigButton small className='approve-btn' busy={busy === 'approve'} disabled={!!busy} onClick={() => decide('approve')}>
            同意
          </BigButton>
          <BigButton small kind='danger' className='reject-btn' disabled={!!busy} onClick={() => setRejecting(true)}>
            拒绝
          </BigButton>
        </View>
      ) : null}
      {pending && rejecting ? (
        <View className='reject-form'>
          <Text className='field-label'>拒绝原因（会告知申请人，可不填）</Text>
          <Input className='field-input reject-reason' value={reason} maxlength={200} placeholder='例如：不是本支部党员' onInput={(e) => setReason(e.detail.value)} />
          <View className='actions'>
            <BigButton small kind='danger' className='reject-confirm-btn' busy={busy === 'reject'} disabled={!!busy} onClick={() => decide('reject')}>
              确认拒绝
            </BigButton>
            <BigButton small kind='plain' disabled={!!busy} onClick={() => setRejecting(false)}>
              取消
            </BigButton>
          </View>
        </View>
      ) : null}
    </View>
  );
}

export default function Applications() {
  const [status, setStatus] = useState<Status>('pending');
  const list = useRequest(() => orgApi.listApplications({ status }), [status]);
  const { notice, notify } = useNotice();
  const remove = (id: string) => list.setData((list.data ?? []).filter((a) => a.id !== id));
  return (
    <Page className='applications' title='入支部申请'>
      <Text className='page-title'>入支部申请</Text>
      {notice ? <Text className='notice' id='applications-notice'>{notice}</Text> : null}
      <View className='chips'>
        {TABS.map((t) => (
          <Chip key={t.key} on={t.key === status} className='status-chip' onClick={() => setStatus(t.key)}>
            {t.text}
          </Chip>
        ))}
      </View>
      <View className='card' id='applications-list'>
        <Async req={list} isEmpty={(d) => d.length === 0} emptyText={status === 'pending' ? '没有待审核的申请' : '暂无记录'}>
          {(apps) => apps.slice(0, 50).map((a) => <Item key={a.id} app={a} onDone={remove} notify={notify} />)}
        </Async>
      </View>
    </Page>
  );
}
