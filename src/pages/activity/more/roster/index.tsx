import { useState, type ReactNode } from 'react';
import { useRouter } from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { activityApi, type ActivityOutputs, type RosterRow } from '../../../../api/activity';
import { BigButton } from '../../../../components/big-button';
import { Chip } from '../../../../components/chip';
import { Page } from '../../../../components/page';
import { Async } from '../../../../components/states';
import { useNotice } from '../../../../hooks/use-notice';
import { useRequest } from '../../../../hooks/use-request';
import { useSubmit } from '../../../../hooks/use-submit';
import { METHOD_LABEL, STATUS_LABEL } from '../../../../../core/activity/rules';
import { formatDateTime } from '../../shared';
import '../../activity.scss';

type Data = ActivityOutputs['roster'];
const ORDER: Record<string, number> = { leave_pending: 0, none: 1, absent: 2, leave_declined: 3, leave: 4, present: 5 };

interface ReasonFormProps {
  /** class prefix the page's tests select by: `<name>-reason`, `<name>-confirm` */
  name: string;
  placeholder: string;
  confirm: string;
  reason: string;
  onReason(v: string): void;
  busy: boolean;
  onConfirm(): void;
  onCancel(): void;
  children?: ReactNode;
}

/** A secretary's change that needs a reason (代签, 更正出勤): the reason, then confirm or 取消. */
function ReasonForm({ name, placeholder, confirm, reason, onReason, busy, onConfirm, onCancel, children }: ReasonFormProps) {
  return (
    <View className='field'>
      {children}
      <Input className={`field-input ${name}-reason`} value={reason} placeholder={placeholder} onInput={(e) => onReason(e.detail.value)} />
      <View className='actions'>
        <BigButton small className={`${name}-confirm`} busy={busy} disabled={reason.trim().length < 2} onClick={onConfirm}>
          {confirm}
        </BigButton>
        <BigButton small kind='plain' onClick={onCancel}>
          取消
        </BigButton>
      </View>
    </View>
  );
}

function Row({ row, data, onChanged, notify }: { row: RosterRow; data: Data; onChanged: () => void; notify: (t: string) => void }) {
  const a = data.activity;
  const [mode, setMode] = useState<'' | 'manual' | 'fix'>('');
  const [reason, setReason] = useState('');
  const [fixTo, setFixTo] = useState<'present' | 'leave' | 'absent'>('present');
  const submit = useSubmit();
  const busy = submit.busy;
  const run = (fn: () => Promise<unknown>, ok: string) =>
    submit.send(async () => {
      await fn();
      notify(ok);
      setMode('');
      onChanged();
    });
  const label = row.status === 'none' ? (a.phase === 'closed' ? '未签到' : '未签到') : STATUS_LABEL[row.status];
  const cls = row.status === 'present' ? '' : row.status === 'absent' || row.status === 'leave_declined' ? 'red' : row.status === 'none' ? 'grey' : 'gold';
  return (
    <View className='roster-row' data-member={row.memberId} id={`row-${row.memberId}`}>
      <View className='row'>
        <Text className='roster-name'>
          {row.name}
          {row.absenceStreak ? <Text className='badge red'>连续缺席 {row.absenceStreak} 次</Text> : null}
        </Text>
        <Text className={`badge ${cls} row-status`}>{row.madeUpAt ? `${label} · 已补学` : label}</Text>
      </View>
      <Text className='muted'>
        {row.read ? '已读通知' : '未读通知'}
        {row.method && row.at ? ` · ${METHOD_LABEL[row.method]} ${formatDateTime(row.at).slice(11)}` : ''}
        {row.leaveReason ? ` · 请假原因：${row.leaveReason}` : ''}
        {row.note ? ` · ${row.note}` : ''}
      </Text>
      {submit.error ? <Text className='field-error'>{submit.error.message}</Text> : null}
      {!row.canChange ? <Text className='muted joint-row-note'>联建支部党员：请假、代签和出勤更正由其所在支部书记处理</Text> : null}
      {row.canChange && row.status === 'leave_pending' && !a.finalisedAt ? (
        <View className='actions'>
          <BigButton small id={`approve-${row.memberId}`} busy={busy} onClick={() => run(() => activityApi.reviewLeave({ id: a.id, memberId: row.memberId, decision: 'approve' }), '已批准请假')}>
            批准请假
          </BigButton>
          <BigButton
            small
            kind='default'
            id={`decline-${row.memberId}`}
            busy={busy}
            onClick={() => run(() => activityApi.reviewLeave({ id: a.id, memberId: row.memberId, decision: 'decline' }), '已不批准')}
          >
            不批准
          </BigButton>
        </View>
      ) : null}
      {row.canChange && a.phase === 'signin' && row.status !== 'present' && mode === '' ? (
        <View className='actions'>
          <BigButton small kind='default' className='manual-btn' onClick={() => setMode('manual')}>
            代为签到
          </BigButton>
        </View>
      ) : null}
      {row.canChange && a.finalisedAt && mode === '' ? (
        <View className='actions'>
          <BigButton small kind='plain' className='fix-btn' onClick={() => setMode('fix')}>
            更正出勤
          </BigButton>
        </View>
      ) : null}
      {mode === 'manual' ? (
        <ReasonForm
          name='manual'
          placeholder='代签原因，例如：老党员没有智能手机'
          confirm='确认代签'
          reason={reason}
          onReason={setReason}
          busy={busy}
          onConfirm={() => run(() => activityApi.manualSignIn({ id: a.id, memberId: row.memberId, reason }), '已代为签到')}
          onCancel={() => setMode('')}
        />
      ) : null}
      {mode === 'fix' ? (
        <ReasonForm
          name='fix'
          placeholder='更正原因（必填，记入台账）'
          confirm='确认更正'
          reason={reason}
          onReason={setReason}
          busy={busy}
          onConfirm={() => run(() => activityApi.setAttendance({ id: a.id, memberId: row.memberId, status: fixTo, reason }), '出勤已更正')}
          onCancel={() => setMode('')}
        >
          <View className='chips'>
            {(['present', 'leave', 'absent'] as const).map((s) => (
              <Chip key={s} on={s === fixTo} onClick={() => setFixTo(s)}>
                {STATUS_LABEL[s]}
              </Chip>
            ))}
          </View>
        </ReasonForm>
      ) : null}
    </View>
  );
}

export default function RosterPage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const req = useRequest(() => activityApi.roster(id), [id], { refreshOnShow: true });
  const { notice, notify } = useNotice();
  return (
    <Page className='activity-roster' title='签到名单'>
      {notice ? <Text className='notice' id='roster-notice'>{notice}</Text> : null}
      <Async req={req}>
        {(d) => {
          const rows = [...d.rows].sort((x, y) => (ORDER[x.status] ?? 9) - (ORDER[y.status] ?? 9) || x.name.localeCompare(y.name, 'zh'));
          return (
            <>
              <View className='card'>
                <Text className='card-title'>{d.activity.title}</Text>
                <View className='counter-row' id='roster-counts'>
                  <View className='counter'><Text className='counter-n'>{d.counts.expected}</Text><Text className='counter-l'>应到</Text></View>
                  <View className='counter'><Text className='counter-n' id='roster-present'>{d.counts.present}</Text><Text className='counter-l'>实到</Text></View>
                  <View className='counter'><Text className='counter-n' id='roster-leave'>{d.counts.leave}</Text><Text className='counter-l'>请假</Text></View>
                  <View className='counter'><Text className='counter-n' id='roster-absent'>{d.counts.absent}</Text><Text className='counter-l'>缺席</Text></View>
                  <View className='counter'><Text className='counter-n' id='roster-reads'>{d.reads}</Text><Text className='counter-l'>已读</Text></View>
                </View>
                {d.counts.leavePending ? <Text className='text text-warn'>有 {d.counts.leavePending} 份请假等待审批</Text> : null}
                {d.flagged.length ? (
                  <Text className='text text-red' id='roster-flagged'>
                    连续缺席提醒：{d.flagged.map((f) => `${f.name}（${f.streak} 次）`).join('、')}
                  </Text>
                ) : null}
              </View>
              <View className='card' id='roster-rows'>
                {rows.map((r) => (
                  <Row key={r.memberId} row={r} data={d} onChanged={req.reload} notify={notify} />
                ))}
              </View>
            </>
          );
        }}
      </Async>
    </Page>
  );
}
