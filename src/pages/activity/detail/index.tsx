import { useEffect, useRef, useState } from 'react';
import { useRouter } from '@tarojs/taro';
import { Input, Text, Textarea, View } from '@tarojs/components';
import { activityApi, type ActivityOutputs } from '../../../api/activity';
import { BigButton } from '../../../components/big-button';
import { Page } from '../../../components/page';
import { Async, goTo } from '../../../components/states';
import { useElder } from '../../../elder/context';
import { useNotice } from '../../../hooks/use-notice';
import { useRequest } from '../../../hooks/use-request';
import { useSubmit } from '../../../hooks/use-submit';
import { askReminder, currentLocation, formatDateTime, JOINT_STATUS_LABEL, myStatus, PHASE_LABEL, scanSignInCode, timeRange } from '../shared';
import { MinutesSummary } from '../components/minutes-summary';
import '../activity.scss';

type Detail = ActivityOutputs['get'];

/**
 * One tap's write. A failure that is not the member's doing (network, crash, timeout) keeps the same
 * request for 重试: sign-in, leave and make-up records have ids derived from the activity and the
 * member, so sending it again never records twice.
 */
function useAction(notify: (t: string) => void, onDone: () => void) {
  const submit = useSubmit<void, string>();
  const run = (key: string, fn: () => Promise<unknown>, ok: string) =>
    submit.send(async () => {
      await fn();
      notify(ok);
      onDone();
    }, key);
  return { ...submit, run };
}

function SignIn({ a, act }: { a: Detail; act: ReturnType<typeof useAction> }) {
  const [code, setCode] = useState('');
  const elder = useElder();
  const router = useRouter();
  const started = useRef(false);
  const where = async () => (a.geofenceRadiusM ? { location: await currentLocation() } : {});
  const submit = (token: string) => act.run('signin', async () => activityApi.signIn({ token: token.trim(), ...(await where()) }), '签到成功');
  // six digits are the 签到口令 under the QR; anything longer is the QR's own text pasted in
  const digits = code.replace(/\s+/g, '');
  const submitTyped = () =>
    /^\d+$/.test(digits)
      ? act.run('signin', async () => activityApi.codeSignIn({ id: a.id, code: digits, ...(await where()) }), '签到成功')
      : submit(code);
  const scan = async () => {
    try {
      const token = await scanSignInCode();
      if (token) await submit(token);
    } catch {
      act.fail('没有扫到签到码，请再试一次');
    }
  };
  // arriving from the "点这里签到" button on WeChat opens the camera at once: one tap fewer
  useEffect(() => {
    if (router.params.signin === '1' && process.env.TARO_ENV === 'weapp' && !started.current) {
      started.current = true;
      void scan();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <View className='card' id='signin-card'>
      <Text className='card-title'>签到</Text>
      <Text className='muted'>
        {process.env.TARO_ENV === 'weapp' ? '请扫描支部书记手机上的签到码，或输入签到码下方的 6 位签到口令（每 15 秒更新）。' : '请输入支部书记手机上签到码下方的 6 位签到口令（每 15 秒更新）。'}
        {a.geofenceRadiusM ? `需在活动地点 ${a.geofenceRadiusM} 米内。` : ''}
      </Text>
      {process.env.TARO_ENV === 'weapp' ? (
        <BigButton id='signin-scan' busy={act.busyKey === 'signin'} onClick={scan}>
          {elder.on ? '扫码签到' : '扫一扫签到'}
        </BigButton>
      ) : null}
      <View className='field'>
        <Text className='field-label'>签到口令</Text>
        <Input
          id='signin-code'
          className='field-input signin-code-input'
          type={process.env.TARO_ENV === 'weapp' ? 'number' : 'text'}
          value={code}
          placeholder='6 位数字'
          onInput={(e) => setCode(e.detail.value)}
        />
      </View>
      <BigButton id='signin-submit' kind={process.env.TARO_ENV === 'weapp' ? 'default' : 'primary'} busy={act.busyKey === 'signin'} disabled={!digits} onClick={submitTyped}>
        用口令签到
      </BigButton>
    </View>
  );
}

function Leave({ a, act }: { a: Detail; act: ReturnType<typeof useAction> }) {
  const [reason, setReason] = useState('');
  const [open, setOpen] = useState(false);
  return (
    <View className='card' id='leave-card'>
      <Text className='card-title'>不能参加？</Text>
      {open ? (
        <>
          <Textarea id='leave-reason' className='textarea' value={reason} maxlength={200} placeholder='请填写请假原因' onInput={(e) => setReason(e.detail.value)} />
          <View className='actions'>
            <BigButton
              small
              id='leave-submit'
              busy={act.busyKey === 'leave'}
              disabled={reason.trim().length < 2}
              onClick={() => act.run('leave', () => activityApi.requestLeave(a.id, reason), '请假申请已提交')}
            >
              提交请假
            </BigButton>
            <BigButton small kind='plain' onClick={() => setOpen(false)}>
              不请假了
            </BigButton>
          </View>
        </>
      ) : (
        <View className='actions'>
          <BigButton small kind='default' id='leave-open' onClick={() => setOpen(true)}>
            请假
          </BigButton>
          <BigButton
            small
            kind='default'
            id='remind-me'
            busy={act.busyKey === 'remind'}
            onClick={() =>
              act.run(
                'remind',
                async () => {
                  if (!(await askReminder())) throw new Error('未允许提醒');
                  await activityApi.subscribe(a.id);
                },
                '开始前会提醒您',
              )
            }
          >
            开始前提醒我
          </BigButton>
        </View>
      )}
    </View>
  );
}

function MakeUp({ a, act }: { a: Detail; act: ReturnType<typeof useAction> }) {
  const [note, setNote] = useState('');
  return (
    <View className='card' id='makeup-card'>
      <Text className='card-title'>补学</Text>
      <Text className='text'>{a.makeUpText || '请学习本次活动的内容（见上方议程），并写下学习体会。'}</Text>
      {a.makeUpLessonId ? (
        <Text className='link' onClick={() => goTo(`/pages/study/index?lessonId=${a.makeUpLessonId}`)}>
          打开补学课程
        </Text>
      ) : null}
      <Textarea id='makeup-note' className='textarea' value={note} maxlength={200} placeholder='学习体会（至少 5 个字）' onInput={(e) => setNote(e.detail.value)} />
      <BigButton id='makeup-submit' busy={act.busyKey === 'makeup'} disabled={note.trim().length < 5} onClick={() => act.run('makeup', () => activityApi.completeMakeUp(a.id, note), '补学已完成')}>
        完成补学
      </BigButton>
    </View>
  );
}

function Manage({ a, act }: { a: Detail; act: ReturnType<typeof useAction> }) {
  const [cancelling, setCancelling] = useState(false);
  const [reason, setReason] = useState('');
  const editable = a.status !== 'cancelled' && !a.finalisedAt;
  return (
    <View className='card secretary-card' id='manage-card'>
      <Text className='card-title'>书记操作 · {PHASE_LABEL[a.phase]}</Text>
      <View className='actions'>
        {a.status === 'draft' ? (
          <BigButton small id='publish-btn' busy={act.busyKey === 'publish'} onClick={() => act.run('publish', () => activityApi.publish(a.id), '通知已发布')}>
            发布通知
          </BigButton>
        ) : null}
        {a.phase === 'signin' ? (
          <BigButton small id='show-qr' onClick={() => goTo(`/pages/activity/more/qr/index?id=${a.id}`)}>
            出示签到码
          </BigButton>
        ) : null}
        {a.status !== 'draft' ? (
          <BigButton small kind='default' id='open-roster' onClick={() => goTo(`/pages/activity/more/roster/index?id=${a.id}`)}>
            名单与请假
          </BigButton>
        ) : null}
        {editable ? (
          <BigButton small kind='default' id='edit-btn' onClick={() => goTo(`/pages/activity/more/edit/index?id=${a.id}`)}>
            修改
          </BigButton>
        ) : null}
        {editable && !cancelling ? (
          <BigButton small kind='danger' id='cancel-btn' onClick={() => setCancelling(true)}>
            取消活动
          </BigButton>
        ) : null}
      </View>
      {a.joint.length ? (
        <View id='manage-joint'>
          <Text className='text'>
            联建支部：{a.joint.map((j) => `${j.name || j.branchId}（${JOINT_STATUS_LABEL[j.status]}）`).join('、')}
          </Text>
          <Text className='muted'>对方支部书记接受邀请后，其党员才列入应到名单；他们的请假、代签和出勤更正由其所在支部书记处理，您可以查看。</Text>
        </View>
      ) : null}
      {cancelling ? (
        <View className='field'>
          <Input id='cancel-reason' className='field-input' value={reason} placeholder='取消原因（党员会看到）' onInput={(e) => setReason(e.detail.value)} />
          <View className='actions'>
            <BigButton
              small
              kind='danger'
              id='cancel-confirm'
              busy={act.busyKey === 'cancel'}
              disabled={reason.trim().length < 2}
              onClick={() => act.run('cancel', () => activityApi.cancel(a.id, reason), '活动已取消')}
            >
              确认取消
            </BigButton>
            <BigButton small kind='plain' onClick={() => setCancelling(false)}>
              不取消
            </BigButton>
          </View>
        </View>
      ) : null}
    </View>
  );
}

function Body({ a, reload }: { a: Detail; reload: () => void }) {
  const { notice, notify } = useNotice();
  const act = useAction(notify, reload);
  const st = myStatus(a);
  const mine = a.mine;
  const present = mine?.status === 'present';
  const canSignIn = a.required && a.phase === 'signin' && !present && mine?.status !== 'absent';
  // leave is possible until the start, even while sign-in (which opens earlier) is already open
  const canLeave = a.required && (a.phase === 'upcoming' || a.phase === 'signin') && Date.now() < new Date(a.startAt).getTime() && (!mine || mine.status === 'leave_declined');
  const owes = (mine?.status === 'leave' || mine?.status === 'absent') && !mine.madeUpAt && (a.phase === 'closed' || new Date(a.endAt).getTime() < Date.now());
  return (
    <>
      {notice ? <Text className='notice' id='activity-notice'>{notice}</Text> : null}
      {act.error ? <Text className='notice error' id='activity-error'>{act.error.message}</Text> : null}
      {act.error && act.canRetry ? (
        <BigButton id='activity-retry' className='retry-btn' kind='default' busy={act.busy} onClick={act.retry}>
          重试
        </BigButton>
      ) : null}
      <View className='card'>
        <Text className='page-title' id='activity-title'>{a.title}</Text>
        {a.status === 'cancelled' ? <Text className='changed'>活动已取消：{a.cancelReason}</Text> : null}
        {a.status !== 'cancelled' && a.changes.length ? (
          <Text className='changed' id='activity-changes'>
            通知有变更（{formatDateTime(a.changes[a.changes.length - 1].at)}）：{a.changes[a.changes.length - 1].note}
          </Text>
        ) : null}
        {st.text && a.required ? (
          <Text className={`status-big ${present || mine?.madeUpAt ? 'status-ok' : st.cls === 'red' ? 'status-bad' : ''}`} id='my-status'>
            {st.text}
          </Text>
        ) : null}
        <View className='kv'><Text className='kv-k'>类型</Text><Text className='kv-v'>{a.typeLabel}</Text></View>
        <View className='kv'><Text className='kv-k'>时间</Text><Text className='kv-v'>{timeRange(a)}</Text></View>
        <View className='kv'><Text className='kv-k'>地点</Text><Text className='kv-v'>{a.place.name}{a.place.address ? `（${a.place.address}）` : ''}</Text></View>
        <View className='kv'><Text className='kv-k'>签到</Text><Text className='kv-v'>{formatDateTime(a.signInOpenAt).slice(11)} – {formatDateTime(a.signInCloseAt).slice(11)}</Text></View>
        {a.studyMinutes ? <View className='kv'><Text className='kv-k'>学时</Text><Text className='kv-v'>计 {a.studyMinutes} 分钟</Text></View> : null}
        <View className='kv'><Text className='kv-k'>发起</Text><Text className='kv-v'>{a.hostBranchName}</Text></View>
        {mine?.leaveReason ? <View className='kv'><Text className='kv-k'>请假原因</Text><Text className='kv-v'>{mine.leaveReason}</Text></View> : null}
      </View>
      {canSignIn ? <SignIn a={a} act={act} /> : null}
      {canLeave ? <Leave a={a} act={act} /> : null}
      {owes ? <MakeUp a={a} act={act} /> : null}
      {a.agenda ? (
        <View className='card'>
          <Text className='card-title'>活动内容</Text>
          <Text className='agenda'>{a.agenda}</Text>
        </View>
      ) : null}
      {a.status === 'published' && new Date(a.startAt).getTime() <= Date.now() ? <MinutesSummary id={a.id} canManage={a.canManage} /> : null}
      {a.canManage ? <Manage a={a} act={act} /> : null}
      {a.canHandleOwn ? (
        <View className='card secretary-card' id='own-branch-card'>
          <Text className='card-title'>本支部党员 · 联建活动</Text>
          <Text className='muted'>由 {a.hostBranchName} 发起。本支部党员的请假审批、代签和出勤更正由您处理。</Text>
          <BigButton small kind='default' id='open-own-roster' onClick={() => goTo(`/pages/activity/more/roster/index?id=${a.id}`)}>
            本支部名单与请假
          </BigButton>
        </View>
      ) : null}
    </>
  );
}

export default function ActivityDetail() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const req = useRequest(() => activityApi.get(id), [id], { refreshOnShow: true });
  return (
    <Page className='activity-detail' title='活动详情'>
      <Async req={req}>{(a) => <Body a={a} reload={req.reload} />}</Async>
    </Page>
  );
}
