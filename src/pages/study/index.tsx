import { Text, View } from '@tarojs/components';
import { studyApi, type LessonView, type ProgressView } from '../../api/study';
import { BigButton } from '../../components/big-button';
import { Page } from '../../components/page';
import { Async, goTo } from '../../components/states';
import { useElder } from '../../elder/context';
import { useNotice } from '../../hooks/use-notice';
import { useRequest } from '../../hooks/use-request';
import { useSubmit } from '../../hooks/use-submit';
import { KIND_BADGE, formatMinutes, formatWhen } from './format';
import { remindMe, remindWhenBehind } from './remind';
import './index.scss';

const SOURCES = [
  { key: 'online', label: '在线课程' },
  { key: 'live', label: '直播课' },
  { key: 'activity', label: '组织生活' },
  { key: 'offline', label: '线下学习' },
] as const;

/** Asks for the 学时提醒 template, which the secretary's reminder to members behind is sent with. */
function BehindOptIn() {
  const { notice, notify } = useNotice();
  const asking = useSubmit({ onError: (e) => notify(e.message) });
  return (
    <View className='behind-optin'>
      <BigButton small kind='default' id='study-behind-optin' busy={asking.busy} onClick={() => asking.send(async () => notify(await remindWhenBehind()))}>
        学时落后时提醒我
      </BigButton>
      {notice ? <Text className='notice'>{notice}</Text> : null}
    </View>
  );
}

function ProgressCard({ p }: { p: ProgressView }) {
  const { on: elder } = useElder();
  const max = Math.max(1, ...p.byMonth);
  const pct = Math.round(p.ratio * 100);
  const behind = Math.max(0, Math.round((p.targetHours - p.hours) * 100) / 100);
  return (
    <View className='card progress-card' id='study-progress'>
      <Text className='card-title'>{p.year} 年度学时</Text>
      <View className='progress-head'>
        <Text className='progress-hours' id='study-hours'>
          {p.hours}
        </Text>
        <Text className='text'> / {p.targetHours} 学时</Text>
      </View>
      <View className='bar' aria-label={`完成 ${pct}%`}>
        <View className='bar-fill' style={{ width: `${pct}%` }} />
      </View>
      <Text className={`text ${behind > 0 ? 'text-warn' : 'text-ok'}`} id='study-behind'>
        {behind > 0 ? `还差 ${behind} 学时（${p.cadre ? '支部书记、支委' : '党员'}每年不少于 ${p.targetHours} 学时）` : '已完成本年度学时要求'}
      </Text>
      <View className='sources'>
        {SOURCES.map((s) => (
          <View key={s.key} className='source' id={`study-source-${s.key}`}>
            <Text className='source-value'>{p.bySource[s.key]}</Text>
            <Text className='muted'>{s.label}</Text>
          </View>
        ))}
      </View>
      {elder ? (
        <View className='months-list'>
          {p.byMonth.map((h, i) => (h > 0 ? <Text key={i} className='text'>{`${i + 1} 月：${h} 学时`}</Text> : null))}
        </View>
      ) : (
        <View className='months' id='study-months'>
          {p.byMonth.map((h, i) => (
            <View key={i} className='month'>
              <View className='month-bar-box'>
                <View className='month-bar' style={{ height: `${Math.round((h / max) * 100)}%` }} />
              </View>
              <Text className='muted month-label'>{i + 1}</Text>
            </View>
          ))}
        </View>
      )}
      <Text className='muted'>
        按实际学习时长计学时，{p.minutesPerHour} 分钟折合 1 学时；已完成课程 {p.lessonsCompleted} 门
      </Text>
      {behind > 0 ? <BehindOptIn /> : null}
    </View>
  );
}

function LiveItem({ l, onReminded }: { l: LessonView; onReminded: (text: string) => void }) {
  const reminding = useSubmit<void>({ onError: (e) => onReminded(e.message) });
  const live = l.live!;
  const remind = () => reminding.send(async () => onReminded(await remindMe(l.id)));
  return (
    <View className='list-item live-item' data-id={l.id}>
      <View className='item-main' onClick={() => goTo(`/pages/study/lesson/index?id=${l.id}`)}>
        <View>
          <Text className={`badge ${live.state === 'live' ? '' : 'gold'}`}>{live.state === 'live' ? '直播中' : live.state === 'upcoming' ? '预告' : '已结束'}</Text>
        </View>
        <Text className='text lesson-title'>{l.title}</Text>
        <Text className='muted'>
          {l.speaker} · {formatWhen(live.startsAt)} 开始
        </Text>
      </View>
      {live.state === 'live' ? (
        <BigButton small className='live-join' onClick={() => goTo(`/pages/study/lesson/index?id=${l.id}`)}>
          进入
        </BigButton>
      ) : live.state === 'upcoming' ? (
        <BigButton small kind='default' className='live-remind' busy={reminding.busy} disabled={live.reminded} onClick={remind}>
          {live.reminded ? '已提醒' : '提醒我'}
        </BigButton>
      ) : live.replayUrl ? (
        <BigButton small kind='default' onClick={() => goTo(`/pages/study/lesson/index?id=${l.id}`)}>
          看回放
        </BigButton>
      ) : null}
    </View>
  );
}

function Lessons({ lessons, reload }: { lessons: LessonView[]; reload: () => void }) {
  const { notice, notify } = useNotice();
  const live = lessons.filter((l) => l.kind === 'live' && l.live && (l.live.state !== 'ended' || l.live.replayUrl));
  const rest = lessons.filter((l) => l.kind !== 'live');
  return (
    <>
      {notice ? <Text className='notice'>{notice}</Text> : null}
      {live.length ? (
        <View className='card' id='study-live'>
          <Text className='card-title'>直播课</Text>
          {live.map((l) => (
            <LiveItem key={l.id} l={l} onReminded={(t) => { notify(t); reload(); }} />
          ))}
        </View>
      ) : null}
      <View className='card' id='study-lessons'>
        <Text className='card-title'>课程</Text>
        {rest.length === 0 ? <Text className='muted'>暂时没有课程</Text> : null}
        {rest.map((l) => {
          const pct = Math.min(100, Math.round((l.progress.creditedSec / Math.max(1, l.durationSec)) * 100));
          return (
            <View key={l.id} className='list-item lesson-item' data-id={l.id} onClick={() => goTo(`/pages/study/lesson/index?id=${l.id}`)}>
              <View className='item-main'>
                <Text className='text lesson-title'>{l.title}</Text>
                <Text className='muted'>
                  {KIND_BADGE[l.kind]} · {l.speaker} · {formatMinutes(l.durationSec)} · {l.orgName}
                </Text>
              </View>
              {l.progress.completed ? (
                <Text className='badge'>已完成</Text>
              ) : l.progress.creditedSec > 0 ? (
                <Text className='badge gold'>已学 {Math.max(1, pct)}%</Text>
              ) : (
                <Text className='badge grey'>未学</Text>
              )}
            </View>
          );
        })}
      </View>
    </>
  );
}

export default function Study() {
  const progress = useRequest(() => studyApi.progress(), [], { refreshOnShow: true });
  const lessons = useRequest(() => studyApi.lessons(), [], { refreshOnShow: true });
  // someone who has not joined a branch gets both calls refused alike: one answer, and the way in
  const notMember = [progress.error, lessons.error].find((e) => e?.code === 'PERMISSION_DENIED' && /加入党支部/.test(e.message));
  if (notMember) {
    return (
      <Page className='study' title='学习'>
        <Text className='page-title'>学习</Text>
        <View className='card' id='study-join'>
          <Text className='card-title'>您还没有加入党支部</Text>
          <Text className='text'>加入党支部后，就可以在这里学习课程、观看直播、查看学时。</Text>
          <BigButton id='study-join-btn' onClick={() => goTo('/pages/org/join/index')}>
            加入党支部
          </BigButton>
        </View>
      </Page>
    );
  }
  return (
    <Page className='study' title='学习'>
      <Text className='page-title'>学习</Text>
      <Async req={progress}>{(p) => <ProgressCard p={p} />}</Async>
      <Async req={lessons} isEmpty={(d) => d.length === 0} emptyText='暂时没有课程'>
        {(d) => <Lessons lessons={d} reload={lessons.reload} />}
      </Async>
    </Page>
  );
}
