import { useEffect, useRef, useState } from 'react';
import Taro, { useDidHide, useDidShow, useRouter } from '@tarojs/taro';
import { Image, Text, View } from '@tarojs/components';
import { toApiError } from '../../../../api';
import { activityApi, type ActivityOutputs } from '../../../../api/activity';
import { BigButton } from '../../../../components/big-button';
import { Page } from '../../../../components/page';
import { ErrorState, Loading } from '../../../../components/states';
import { useNotice } from '../../../../hooks/use-notice';
import { useSubmit } from '../../../../hooks/use-submit';
import { formatDateTime } from '../../shared';
import '../../activity.scss';

type Token = Pick<ActivityOutputs['qrToken'], 'token' | 'code' | 'qr'>;
type Roster = ActivityOutputs['roster'];

/**
 * The rotating sign-in code: a new server-signed token every 15 s, with the count of who has signed
 * in. One call hands out the next minute's tokens, each shown as its slot begins, and the screen
 * asks again (tokens and count) as the last of them is shown: one call a minute, not four. The
 * screen stays on while it is shown.
 */
export default function QrScreen() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const [token, setToken] = useState<Token | null>(null);
  const roster = useRef<Roster | null>(null);
  const [counts, setCounts] = useState<Roster['counts'] | null>(null);
  const [error, setError] = useState<ReturnType<typeof toApiError> | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [closed, setClosed] = useState<ActivityOutputs['closeSignIn'] | null>(null);
  const timers = useRef<ReturnType<typeof setTimeout>[]>([]);
  const visible = useRef(true);
  const { notice, notify } = useNotice();
  // a failed close shows where a failed refresh does; the next good refresh clears it
  const closing = useSubmit({ onError: setError });

  const stop = () => {
    for (const t of timers.current) clearTimeout(t);
    timers.current = [];
  };

  const refresh = async () => {
    stop();
    if (!visible.current) return;
    try {
      // the roster (title, times) once; after that the token call brings the count
      const [t, r] = await Promise.all([activityApi.qrToken(id), roster.current ? Promise.resolve(roster.current) : activityApi.roster(id)]);
      // a function from before `slots` answers one slot: refetch when it ends, as then
      const slots = t.slots?.length ? t.slots : [{ ...t, showInMs: 0 }];
      setToken(slots[0]);
      roster.current = r;
      setCounts(t.counts ?? r.counts);
      setError(null);
      stop();
      // times from the answer's arrival: each token is shown once its slot has begun on the server
      for (const s of slots.slice(1)) timers.current.push(setTimeout(() => setToken(s), s.showInMs));
      const again = t.slots?.length ? t.callAgainInMs : t.refreshInMs;
      timers.current.push(setTimeout(refresh, Math.max(1000, again + 300)));
    } catch (e) {
      setError(toApiError(e));
    }
  };

  useEffect(() => {
    void refresh();
    if (process.env.TARO_ENV === 'weapp') Taro.setKeepScreenOn({ keepScreenOn: true }).catch(() => undefined);
    return stop;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);
  useDidShow(() => {
    if (!visible.current) {
      visible.current = true;
      void refresh();
    }
  });
  useDidHide(() => {
    visible.current = false;
    stop();
  });

  const close = async () => {
    await closing.send(async () => {
      const out = await activityApi.closeSignIn(id);
      stop();
      setClosed(out);
      notify('签到已结束');
    });
    setConfirm(false);
  };

  if (closed) {
    return (
      <Page className='activity-qr' title='签到码'>
        {notice ? <Text className='notice'>{notice}</Text> : null}
        <View className='card' id='qr-closed'>
          <Text className='card-title'>签到已结束</Text>
          <Text className='text'>
            应到 {closed.counts.expected} 人，实到 {closed.counts.present} 人，请假 {closed.counts.leave} 人，缺席 {closed.counts.absent} 人。
          </Text>
          <Text className='muted'>缺席和请假的党员已收到补学任务。</Text>
          <BigButton id='qr-roster' onClick={() => Taro.redirectTo({ url: `/pages/activity/more/roster/index?id=${id}` })}>
            查看名单
          </BigButton>
        </View>
      </Page>
    );
  }
  if (error && !token) return <Page title='签到码'><ErrorState error={error} onRetry={refresh} /></Page>;
  if (!token || !roster.current || !counts) return <Page title='签到码'><Loading /></Page>;
  const c = counts;
  const activity = roster.current.activity;
  // closing marks everyone not yet here absent: not before the start (the server refuses it too)
  const started = Date.now() >= new Date(activity.startAt).getTime();
  return (
    <Page className='activity-qr' title='签到码'>
      <View className='card'>
        <Text className='card-title'>{activity.title}</Text>
        <View className='qr-box'>
          <Image className='qr-img' id='qr-image' src={token.qr} mode='aspectFit' />
          <Text className='qr-code-label'>签到口令</Text>
          <Text className='qr-code' id='qr-code' aria-label={`签到口令 ${token.code.split('').join(' ')}`}>
            {token.code.slice(0, 3)} {token.code.slice(3)}
          </Text>
          <Text className='muted'>请党员用“指尖党校”扫码签到；不能扫码的，在活动页输入上面的 6 位签到口令。签到码和口令每 15 秒自动更新；签到人数每分钟更新，点按人数可立即刷新。</Text>
          <Text className='qr-token' id='qr-token'>
            {token.token}
          </Text>
        </View>
        {error ? <Text className='notice error'>{error.message}</Text> : null}
        {/* the count comes with each minute's tokens; a tap asks at once */}
        <View className='counter-row' id='qr-counts' onClick={() => void refresh()}>
          <View className='counter'><Text className='counter-n' id='qr-present'>{c.present}</Text><Text className='counter-l'>已签到</Text></View>
          <View className='counter'><Text className='counter-n'>{c.leave}</Text><Text className='counter-l'>请假</Text></View>
          <View className='counter'><Text className='counter-n'>{c.expected - c.present - c.leave}</Text><Text className='counter-l'>未签到</Text></View>
          <View className='counter'><Text className='counter-n'>{c.expected}</Text><Text className='counter-l'>应到</Text></View>
        </View>
      </View>
      {confirm ? (
        <View className='card'>
          <Text className='text'>结束后，未签到且未获准请假的党员将记为缺席，并收到补学任务。</Text>
          <View className='actions'>
            <BigButton small kind='danger' id='qr-close-confirm' busy={closing.busy} onClick={close}>
              确认结束签到
            </BigButton>
            <BigButton small kind='plain' onClick={() => setConfirm(false)}>
              继续签到
            </BigButton>
          </View>
        </View>
      ) : started ? (
        <BigButton kind='default' id='qr-close' onClick={() => setConfirm(true)}>
          结束签到
        </BigButton>
      ) : (
        <View className='card'>
          <BigButton kind='default' id='qr-close' disabled>
            结束签到
          </BigButton>
          <Text className='muted' id='qr-close-hint'>
            活动 {formatDateTime(activity.startAt).slice(11)} 开始后才能结束签到；签到时间截止时系统会自动结束。
          </Text>
        </View>
      )}
    </Page>
  );
}
