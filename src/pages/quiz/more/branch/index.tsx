import { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { quizApi, type BranchTodayView } from '../../../../api/quiz';
import { BigButton } from '../../../../components/big-button';
import { BranchPicker, useBranchChoice } from '../../../../components/branch-picker';
import { Chart } from '../../../../components/chart';
import { Page } from '../../../../components/page';
import { Async } from '../../../../components/states';
import { useNotice } from '../../../../hooks/use-notice';
import { useRequest } from '../../../../hooks/use-request';
import { useSubmit } from '../../../../hooks/use-submit';
import { percentText } from '../../../../../core/quiz/stats';
import '../../quiz.scss';

function Remind({ d, onDone }: { d: BranchTodayView; onDone(): void }) {
  const { notice, notify } = useNotice();
  const reminding = useSubmit({ onError: (e) => notify(e.message) });
  const go = () =>
    reminding.send(async () => {
      const r = await quizApi.remind();
      notify(r.alreadyReminded ? '今天已经提醒过了' : `已提醒 ${r.sent} 人${r.noGrant ? `，${r.noGrant} 人未开启提醒，请电话联系` : ''}`);
      onDone();
    });
  return (
    <View className='card' id='branch-remind'>
      <Text className='card-title'>一键提醒</Text>
      {d.remindedToday ? (
        <Text className='text' id='branch-reminded'>
          今天已提醒 {d.remindedToday.sent} 人
        </Text>
      ) : (
        <>
          <Text className='text'>
            未答题的 {d.missing.length} 人中，{d.remindable} 人开启了微信提醒，可以发送；其余 {d.missing.length - d.remindable} 人请电话或上门提醒。
          </Text>
          <BigButton id='branch-remind-btn' busy={reminding.busy} disabled={d.remindable === 0} onClick={go}>
            {d.remindable ? `提醒 ${d.remindable} 人答题` : '没有可以提醒的人'}
          </BigButton>
        </>
      )}
      {notice ? <Text className='notice'>{notice}</Text> : null}
    </View>
  );
}

const pct = (rate: number) => Math.round(rate * 100);

/**
 * 近 30 天参与率: each day, the branch's present members who answered ÷ its present members; the
 * summary's average is the mean of those 30 daily rates, and today's point is the figure above it.
 */
function Trend({ d }: { d: BranchTodayView }) {
  const avg = d.trend.length ? d.trend.reduce((s, t) => s + t.rate, 0) / d.trend.length : 0;
  return (
    <Chart
      id='quiz-trend'
      kind='line'
      title='近 30 天每天的答题参与率'
      unit='%'
      max={100}
      summary={`近 30 天平均每天 ${percentText(avg)} 的党员答题；今天 ${d.answered}/${d.members} 人（${percentText(d.rate)}）`}
      points={d.trend.map((t) => ({ label: t.day.slice(5), value: pct(t.rate), text: `${t.answered} 人（${percentText(t.rate)}）` }))}
    />
  );
}

/** 上级管理员: the branches of their subtree side by side, on this month's participation (as 支部排行). */
function BranchesCompared() {
  const req = useRequest(() => quizApi.rankBranches({ level: 'community' }), []);
  return (
    <Async req={req} isEmpty={(d) => d.rows.length === 0} emptyText='所辖组织下还没有党支部'>
      {(d) => {
        const low = [...d.rows].sort((a, b) => a.monthRate - b.monthRate)[0];
        return (
          <Chart
            id='quiz-branches'
            kind='bar'
            title={`${d.scopeName} 各支部本月答题参与率`}
            unit='%'
            max={100}
            summary={`${d.rows.length} 个支部，本月参与率（本月答过题的党员占比）最低的是 ${low.name}（${percentText(low.monthRate)}）`}
            points={d.rows.map((r) => ({ label: r.name, value: pct(r.monthRate), text: `${r.answeredMonth}/${r.members} 人（${percentText(r.monthRate)}）` }))}
          />
        );
      }}
    </Async>
  );
}

/** 支部书记: today's participation and the members who have not answered yet (不漏一人); an organiser picks a branch first. */
export default function BranchToday() {
  const linked = useRouter().params.branchId;
  const choice = useBranchChoice();
  const branchId = choice.branchId ?? linked;
  const ready = choice.ready || (!!choice.me.data && !!linked);
  const secretary = choice.me.data?.member?.role === 'secretary';
  const req = useRequest(() => quizApi.branchToday(branchId ? { branchId } : {}), [branchId], { refreshOnShow: true, skip: !ready });
  return (
    <Page className='quiz-branch' title='支部答题情况'>
      {choice.scope ? <BranchesCompared /> : null}
      <BranchPicker choice={choice} id='quiz-branch-picker' />
      {ready ? (
      <Async req={req}>
        {(d) => (
          <>
            <View className='card' id='branch-stats'>
              <Text className='card-title'>
                {d.branchName} · {d.day}
              </Text>
              <View className='stat-row'>
                <View className='stat'>
                  <Text className='stat-num' id='branch-answered'>
                    {d.answered}
                  </Text>
                  <Text className='muted'>已答题</Text>
                </View>
                <View className='stat'>
                  <Text className='stat-num' id='branch-missing-count'>
                    {d.missing.length}
                  </Text>
                  <Text className='muted'>未答题</Text>
                </View>
                <View className='stat'>
                  <Text className='stat-num' id='branch-rate'>
                    {percentText(d.rate)}
                  </Text>
                  <Text className='muted'>参与率</Text>
                </View>
              </View>
            </View>
            <Trend d={d} />
            <View className='card' id='branch-missing'>
              <Text className='card-title'>还没有答题（{d.missing.length} 人）</Text>
              {d.missing.length === 0 ? <Text className='text text-ok'>全部党员都已答题</Text> : null}
              <View className='name-grid'>
                {d.missing.map((m) => (
                  <Text key={m.memberId} className={`name-chip missing-name ${m.canRemind ? 'name-chip--can' : ''}`}>
                    {m.name}
                    {m.streakLost ? '（断签）' : ''}
                  </Text>
                ))}
              </View>
            </View>
            {secretary ? <Remind d={d} onDone={req.reload} /> : null}
            <View className='card' id='branch-answered-list'>
              <Text className='card-title'>已答题（{d.answered} 人）</Text>
              <View className='name-grid'>
                {d.answeredList.map((m) => (
                  <Text key={m.memberId} className='name-chip answered-name'>
                    {m.name} · 连续 {m.streak} 天
                  </Text>
                ))}
              </View>
            </View>
          </>
        )}
      </Async>
      ) : null}
    </Page>
  );
}
