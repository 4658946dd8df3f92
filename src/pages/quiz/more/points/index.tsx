import { Text, View } from '@tarojs/components';
import { pointsApi, type RulesView } from '../../../../api/points';
import { Page } from '../../../../components/page';
import { Async } from '../../../../components/states';
import { useRequest } from '../../../../hooks/use-request';
import '../../quiz.scss';

function RuleList({ rules, labels }: { rules: RulesView['current']; labels: RulesView['labels'] }) {
  return (
    <>
      {Object.entries(rules.values).map(([k, v]) =>
        k === 'quiz.streak' ? null : (
          <View key={k} className='list-item'>
            <Text className='text'>
              {labels[k as keyof typeof labels]?.label ?? k}（{labels[k as keyof typeof labels]?.unit}）
            </Text>
            <Text className='text text-red'>+{v}</Text>
          </View>
        ),
      )}
      {rules.streakBonuses.map((b) => (
        <View key={b.days} className='list-item'>
          <Text className='text'>连续答题每满 {b.days} 天</Text>
          <Text className='text text-red'>+{b.points}</Text>
        </View>
      ))}
      <View className='list-item'>
        <Text className='text'>每天最多</Text>
        <Text className='text'>{rules.dailyCap} 分</Text>
      </View>
    </>
  );
}

/** 红色手账: every award with its reason and source, and the rules as they stand (and will stand tomorrow). */
export default function Points() {
  const history = useRequest(() => pointsApi.history(), []);
  const rules = useRequest(() => pointsApi.rules(), []);
  return (
    <Page className='quiz-points' title='红色手账'>
      <Async req={history}>
        {(h) => (
          <>
            <View className='card quiz-head' id='points-total'>
              <Text className='text'>我的积分</Text>
              <Text className='quiz-score'>{h.total}</Text>
              <Text className='text'>
                今天 +{h.today}（每日上限 {h.dailyCap}）
              </Text>
            </View>
            <View className='card' id='points-history'>
              <Text className='card-title'>积分明细</Text>
              {h.entries.length === 0 ? <Text className='muted'>还没有积分记录：完成每日答题即可获得积分</Text> : null}
              {h.entries.map((e) => (
                <View key={e.id} className='list-item ledger-item'>
                  <View>
                    <Text className='text'>{e.reason}</Text>
                    <Text className='muted'>{e.lines.map((l) => `${l.reason} +${l.points}`).join('，') || '未得分'}</Text>
                    {e.capped ? <Text className='muted'>已达每日上限，{e.capped} 分未计入</Text> : null}
                  </View>
                  <Text className='text text-red'>+{e.points}</Text>
                </View>
              ))}
            </View>
          </>
        )}
      </Async>
      <Async req={rules}>
        {(r) => (
          <View className='card' id='points-rules'>
            <Text className='card-title'>积分规则（{r.orgName}）</Text>
            <RuleList rules={r.current} labels={r.labels} />
            {r.upcoming ? (
              <>
                <Text className='card-title text-warn'>自 {r.upcoming.from} 起调整为</Text>
                <RuleList rules={r.upcoming.rules} labels={r.labels} />
              </>
            ) : (
              <Text className='muted'>规则如有调整，会提前一天在这里公布。</Text>
            )}
          </View>
        )}
      </Async>
    </Page>
  );
}
