import { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { quizApi, type BranchTodayView } from '../../../../api/quiz';
import { BigButton } from '../../../../components/big-button';
import { Page } from '../../../../components/page';
import { Async } from '../../../../components/states';
import { useNotice } from '../../../../hooks/use-notice';
import { useRequest } from '../../../../hooks/use-request';
import { useSubmit } from '../../../../hooks/use-submit';
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

/** 支部书记: today's participation and the members who have not answered yet (不漏一人). */
export default function BranchToday() {
  const branchId = useRouter().params.branchId;
  const req = useRequest(() => quizApi.branchToday(branchId ? { branchId } : {}), [branchId], { refreshOnShow: true });
  return (
    <Page className='quiz-branch' title='支部答题情况'>
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
                    {Math.round(d.rate * 100)}%
                  </Text>
                  <Text className='muted'>参与率</Text>
                </View>
              </View>
            </View>
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
            <Remind d={d} onDone={req.reload} />
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
    </Page>
  );
}
