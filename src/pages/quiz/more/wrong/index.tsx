import { Text, View } from '@tarojs/components';
import { quizApi } from '../../../../api/quiz';
import { BigButton } from '../../../../components/big-button';
import { Page } from '../../../../components/page';
import { Async, goTo } from '../../../../components/states';
import { useRequest } from '../../../../hooks/use-request';
import { QuestionCard } from '../../question-card';
import '../../quiz.scss';

/** 错题本: every question missed in the daily quiz, with the right answer, until practised right. */
export default function WrongBook() {
  const req = useRequest(() => quizApi.wrongBook(), [], { refreshOnShow: true });
  return (
    <Page className='quiz-wrong' title='错题本'>
      <Async req={req} isEmpty={(d) => d.items.length === 0} emptyText='错题本是空的：每日答题答错的题会出现在这里'>
        {(d) => (
          <>
            <View className='card'>
              <Text className='text'>共 {d.items.length} 道错题。练习时答对，就会移出错题本；练习不计积分，也不影响排行。</Text>
              <BigButton id='wrong-practice' onClick={() => goTo('/pages/quiz/more/practice/index?mode=wrong')}>
                练习错题
              </BigButton>
            </View>
            {d.items.map((it, i) => (
              <View key={it.id} className='wrong-item'>
                <QuestionCard
                  q={it}
                  index={i}
                  total={d.items.length}
                  choice={it.lastChoice}
                  result={{ id: it.id, correct: false, choice: it.lastChoice, answer: it.answer, explanation: it.explanation }}
                />
                <Text className='muted'>
                  {it.lastDay} 答错{it.times > 1 ? ` · 共答错 ${it.times} 次` : ''}
                </Text>
              </View>
            ))}
          </>
        )}
      </Async>
    </Page>
  );
}
