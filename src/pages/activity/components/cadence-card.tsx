import { Text, View } from '@tarojs/components';
import { activityApi, type ActivityOutputs } from '../../../api/activity';
import { BigButton } from '../../../components/big-button';
import { goTab, goTo } from '../../../components/states';
import { useRequest } from '../../../hooks/use-request';
import { useSubmit } from '../../../hooks/use-submit';
import { askSubscribe } from '../../../utils/subscribe';
import { formatDateTime } from '../shared';
import './minutes.scss';

type Cadence = ActivityOutputs['cadence'];
type Period = Cadence['month'];

const STATUS: Record<Period['status'], { text: string; cls: string }> = {
  on_track: { text: '正常', cls: '' },
  due_soon: { text: '即将到期', cls: 'gold' },
  missed: { text: '未按期召开', cls: 'red' },
};

const periodName = (p: Period) => (p.unit === 'month' ? `${Number(p.key.slice(5))}月` : `第${p.key.slice(-1)}季度`);

function PeriodBlock({ p, id }: { p: Period; id: string }) {
  const st = p.held >= p.owed ? { text: '已完成', cls: '' } : STATUS[p.status];
  const due = p.lines.filter((l) => l.due > 0);
  return (
    <View className='cadence-period' id={id}>
      <View className='list-item'>
        <Text className='text'>
          {periodName(p)}：已开 {p.held} / 应开 {p.owed}
        </Text>
        <Text className={`badge ${st.cls}`}>{st.text}</Text>
      </View>
      {due.map((l) => (
        <Text key={l.kind} className={`muted ${l.status === 'missed' ? 'text-warn' : ''}`}>
          还需召开{l.label} {l.due} 次{l.groupsDue?.length ? `（${l.groupsDue.join('、')}）` : ''}，{l.status === 'missed' ? '已过期' : `截止 ${l.by.slice(5).replace('-', '月')}日`}
        </Text>
      ))}
    </View>
  );
}

/**
 * The secretary's 三会一课 card on the activity list: this month's and quarter's 已开/应开 (only a held
 * meeting with minutes counts), what is still due and by when, the meetings awaiting minutes
 * (待补记录), and 到期前提醒我 (one subscribe message a week before a period ends).
 */
export function CadenceCard({ d, reload }: { d: Cadence; reload: () => void }) {
  const sub = useSubmit();
  const remind = () =>
    sub.send(async () => {
      const ok = await askSubscribe(['cadenceDue']);
      if (!ok.cadenceDue) throw new Error('您没有允许提醒，可在右上角“设置”中打开订阅消息');
      await activityApi.cadenceSubscribe();
      reload();
    });
  return (
    <View className='card secretary-card' id='cadence-card'>
      <Text className='card-title'>三会一课完成情况</Text>
      <PeriodBlock p={d.month} id='cadence-month' />
      <PeriodBlock p={d.quarter} id='cadence-quarter' />
      {d.noGroups ? <Text className='muted'>本支部未设党小组，党小组会按全支部一个小组计。</Text> : null}
      <Text className='muted'>有会议记录（含 2 张以上现场照片）的会议才计入完成情况。</Text>
      {d.pendingMinutes.length ? (
        <View id='cadence-pending'>
          <Text className='field-label'>待补记录（{d.pendingMinutes.length}）</Text>
          {d.pendingMinutes.slice(0, 5).map((p) => (
            <View key={p.id} className='list-item pending-minutes' data-id={p.id} onClick={() => goTo(`/pages/activity/more/minutes/index?id=${p.id}`)}>
              <View>
                <Text className='text'>{p.title}</Text>
                <Text className='muted'>
                  {p.typeLabel} · {formatDateTime(p.startAt)}
                </Text>
              </View>
              <Text className='badge red'>待补记录</Text>
            </View>
          ))}
        </View>
      ) : null}
      {sub.error ? <Text className='notice error'>{sub.error.message}</Text> : null}
      {d.subscribed ? (
        <Text className='muted' id='cadence-subscribed'>已开启：期末前一周仍有会议未开时提醒您</Text>
      ) : (
        <BigButton small kind='default' id='cadence-remind' busy={sub.busy} onClick={remind}>
          到期前提醒我
        </BigButton>
      )}
    </View>
  );
}

/** The ids of the secretary's meetings awaiting minutes, for the 待补记录 mark on their rows. */
export const pendingIds = (d: Cadence | undefined) => new Set((d?.pendingMinutes ?? []).map((p) => p.id));

/**
 * The secretary's home page line for 三会一课: this month's 已开/应开 and the meetings awaiting minutes
 * (待补记录), so nothing owed waits for a visit to the activity list. Tapping opens that list.
 */
export function CadenceHomeCard() {
  const req = useRequest(() => activityApi.cadence(), [], { refreshOnShow: true });
  const d = req.data;
  if (!d) return null;
  const month = d.month;
  const done = month.held >= month.owed;
  const st = done ? { text: '已完成', cls: '' } : STATUS[month.status];
  const pending = d.pendingMinutes.length;
  return (
    <View className='card secretary-card' id='home-cadence' onClick={() => goTab('/pages/activity/index')}>
      <View className='row'>
        <Text className='card-title'>三会一课</Text>
        <Text className={`badge ${st.cls}`}>{st.text}</Text>
      </View>
      <Text className='text' id='home-cadence-month'>
        {periodName(month)}：已开 {month.held} / 应开 {month.owed}
      </Text>
      {pending ? (
        <Text className='badge red' id='home-cadence-pending'>
          待补记录 {pending} 次
        </Text>
      ) : null}
      <Text className='muted'>{pending ? '点此补写会议记录' : done ? '本月的会议都已召开并记录' : '点此查看还需召开的会议'}</Text>
    </View>
  );
}
