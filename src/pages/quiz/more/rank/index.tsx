import { useState } from 'react';
import { Text, View } from '@tarojs/components';
import { quizApi } from '../../../../api/quiz';
import { Page } from '../../../../components/page';
import { Async } from '../../../../components/states';
import { useRequest } from '../../../../hooks/use-request';
import '../../quiz.scss';

const pct = (r: number) => `${Math.round(r * 100)}%`;

function Members() {
  const req = useRequest(() => quizApi.rankMembers(), []);
  return (
    <Async req={req}>
      {(d) => (
        <View className='card' id='rank-members'>
          <Text className='card-title'>{d.branchName} · 本月答题天数</Text>
          {d.me ? <Text className='muted'>我：第 {d.me.rank} 名，本月答题 {d.me.monthDays} 天，连续 {d.me.streak} 天</Text> : null}
          {d.meUnranked ? <Text className='muted'>您在题库管理中可以查看每日答题的答案，因此不参加排名。</Text> : null}
          {d.rows.map((r) => (
            <View key={r.memberId} className='list-item'>
              <Text className='rank-no'>{r.rank}</Text>
              <Text className='text' style={{ flex: 1 }}>
                {r.name}
              </Text>
              <Text className='text'>
                {r.monthDays} 天 · 连续 {r.streak}
              </Text>
            </View>
          ))}
        </View>
      )}
    </Async>
  );
}

function Branches({ level }: { level: 'community' | 'street' }) {
  const req = useRequest(() => quizApi.rankBranches({ level }), [level]);
  return (
    <Async req={req} isEmpty={(d) => !d.rows.length} emptyText='没有可以比较的党支部'>
      {(d) => (
        <View className='card' id='rank-branches'>
          <Text className='card-title'>{d.scopeName} · 按参与率排名</Text>
          <Text className='muted'>参与率 = 答题人数 ÷ 党员人数，小支部不吃亏</Text>
          {d.rows.map((r) => (
            <View key={r.branchId} className='list-item'>
              <Text className='rank-no'>{r.rank}</Text>
              <View style={{ flex: 1 }}>
                <Text className='text'>{r.name}</Text>
                <Text className='muted'>
                  今天 {r.answeredToday}/{r.members} 人（{pct(r.todayRate)}）
                </Text>
              </View>
              <Text className='text text-red'>本月 {pct(r.monthRate)}</Text>
            </View>
          ))}
        </View>
      )}
    </Async>
  );
}

/** Rankings by participation, never by raw points; practice never counts. */
export default function Rank() {
  const [tab, setTab] = useState<'members' | 'community' | 'street'>('members');
  const tabs = [
    ['members', '支部内'],
    ['community', '社区内支部'],
    ['street', '街道内支部'],
  ] as const;
  return (
    <Page className='quiz-rank' title='参与排行'>
      <View className='tab-bar'>
        {tabs.map(([k, label]) => (
          <View key={k} id={`rank-tab-${k}`} className={`tab ${tab === k ? 'tab--on' : ''}`} onClick={() => setTab(k)}>
            {label}
          </View>
        ))}
      </View>
      {tab === 'members' ? <Members /> : <Branches level={tab} />}
    </Page>
  );
}
