import { Text, View } from '@tarojs/components';
import { quizApi } from '../../api/quiz';
import { goTo } from '../../components/states';
import { useRequest } from '../../hooks/use-request';

/** The home page's 每日答题 card: today's state in one line, one tap to the quiz. */
export function QuizTaskCard() {
  const req = useRequest(() => quizApi.today(), [], { refreshOnShow: true });
  const d = req.data;
  const state = req.error ? '点此进入' : !d ? '正在加载…' : d.submission ? `今日已答 ${d.submission.correct}/${d.submission.total}` : d.questions.length ? `今日 ${d.questions.length} 题待答` : '暂无题目';
  return (
    <View className='card' id='home-quiz' onClick={() => goTo('/pages/quiz/index')}>
      <View className='list-item task task-quiz'>
        <View className='task-main'>
          <Text className='text task-title'>每日答题</Text>
          <Text className='muted' id='home-quiz-state'>
            {state}
            {d?.streak ? ` · 已连续 ${d.streak} 天` : ''}
          </Text>
        </View>
        <Text className={`badge ${d && !d.submission && d.questions.length ? '' : 'grey'}`}>{d?.submission ? '已完成' : '去答题'}</Text>
      </View>
    </View>
  );
}
