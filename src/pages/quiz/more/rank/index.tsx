import { useState } from 'react';
import { Text, View } from '@tarojs/components';
import { quizApi } from '../../../../api/quiz';
import { Page } from '../../../../components/page';
import { Async } from '../../../../components/states';
import { useRequest } from '../../../../hooks/use-request';
import { percentText } from '../../../../../core/quiz/stats';
import '../../quiz.scss';

/** "3/19 人（16%）": the people behind every rate on this page */
const share = (answered: number, members: number, r: number) => `${answered}/${members} 人（${percentText(r)}）`;

function Members() {
  const req = useRequest(() => quizApi.rankMembers(), []);
  return (
    <Async req={req}>
      {(d) => {
        const ranked = d.rows.filter((r) => r.rank !== null);
        const idle = d.rows.filter((r) => r.rank === null);
        return (
          <>
            <View className='card' id='rank-branch'>
              <Text className='card-title'>{d.branchName} · 参与率</Text>
              <View className='rank-figure'>
                <Text className='text'>
                  今天 <Text id='rank-branch-today'>{share(d.branch.answeredToday, d.branch.members, d.branch.todayRate)}</Text>
                </Text>
                <Text className='muted'>今天答了题的党员 ÷ 支部党员人数</Text>
              </View>
              <View className='rank-figure'>
                <Text className='text'>
                  本月 <Text id='rank-branch-month'>{share(d.branch.answeredMonth, d.branch.members, d.branch.monthRate)}</Text>
                </Text>
                <Text className='muted'>本月至少答过一天的党员 ÷ 支部党员人数</Text>
              </View>
            </View>
            <View className='card' id='rank-members'>
              <Text className='card-title'>本月答题天数排名</Text>
              <Text className='muted'>按本月答题天数排名，天数相同名次相同；本月还没有答题的党员不排名次。</Text>
              {d.me ? (
                <Text className='text rank-me' id='rank-me'>
                  {d.me.rank !== null ? `我：第 ${d.me.rank} 名，本月答题 ${d.me.monthDays} 天，连续 ${d.me.streak} 天` : '我：本月还没有答题，答一次就参加排名'}
                </Text>
              ) : null}
              {d.meUnranked ? <Text className='muted'>您在题库管理中可以查看每日答题的答案，因此不参加排名。</Text> : null}
              {ranked.map((r) => (
                <View key={r.memberId} className='list-item rank-row' data-rank={String(r.rank)} data-id={r.memberId}>
                  <Text className='rank-no'>{r.rank}</Text>
                  <Text className='text rank-name'>{r.name}</Text>
                  <Text className='text rank-days'>
                    {r.monthDays} 天 · 连续 {r.streak} 天
                  </Text>
                </View>
              ))}
              {ranked.length === 0 ? <Text className='text'>本月还没有人答题</Text> : null}
              {idle.length ? (
                <View className='rank-idle' id='rank-idle'>
                  <Text className='card-title'>本月未参与（{idle.length} 人）</Text>
                  <View className='name-grid'>
                    {idle.map((r) => (
                      <Text key={r.memberId} className='name-chip rank-idle-name'>
                        {r.name}
                      </Text>
                    ))}
                  </View>
                </View>
              ) : null}
            </View>
          </>
        );
      }}
    </Async>
  );
}

function Branches({ level }: { level: 'community' | 'street' }) {
  const req = useRequest(() => quizApi.rankBranches({ level }), [level]);
  return (
    <Async req={req} isEmpty={(d) => !d.rows.length} emptyText='没有可以比较的党支部'>
      {(d) => (
        <View className='card' id='rank-branches'>
          <Text className='card-title'>{d.scopeName} · 按本月参与率排名</Text>
          <Text className='muted'>本月参与率 = 本月至少答过一天的党员 ÷ 党员人数；今天参与率 = 今天答了题的党员 ÷ 党员人数。按人数比例排，小支部不吃亏；本月相同时看今天，都相同名次相同；本月无人答题的支部不排名次。</Text>
          {d.rows.map((r) => (
            <View key={r.branchId} className='list-item rank-branch-row' data-id={r.branchId} data-rank={r.rank === null ? '' : String(r.rank)}>
              <Text className='rank-no'>{r.rank ?? '—'}</Text>
              <View className='rank-name'>
                <Text className='text'>{r.name}</Text>
                <Text className='muted rank-branch-month'>本月 {share(r.answeredMonth, r.members, r.monthRate)}</Text>
                <Text className='muted rank-branch-today'>今天 {share(r.answeredToday, r.members, r.todayRate)}</Text>
              </View>
              {r.rank === null ? <Text className='badge grey'>未参与</Text> : <Text className='text text-red'>{percentText(r.monthRate)}</Text>}
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
