import { useState } from 'react';
import { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { quizApi, type PublicQuestion, type QuizOutputs } from '../../../../api/quiz';
import { BigButton } from '../../../../components/big-button';
import { Page } from '../../../../components/page';
import { Async, Empty } from '../../../../components/states';
import { useRequest } from '../../../../hooks/use-request';
import { useSubmit } from '../../../../hooks/use-submit';
import { isAnswered, QuestionCard } from '../../question-card';
import '../../quiz.scss';

function Round({ questions, onAgain }: { questions: PublicQuestion[]; onAgain(): void }) {
  const [choices, setChoices] = useState<Record<string, string[]>>({});
  const [result, setResult] = useState<QuizOutputs['checkPractice'] | null>(null);
  const checking = useSubmit();
  if (!questions.length) return <Empty text='没有可以练习的题目（练习只包含错题本和已截止的每日答题中出过的题目）' />;
  const check = async () => {
    const missing = questions.filter((q) => !isAnswered(q, choices[q.id])).length;
    if (missing) return checking.fail(`还有 ${missing} 道题没有作答`);
    await checking.send(async () => setResult(await quizApi.checkPractice({ answers: questions.map((q) => ({ questionId: q.id, choice: choices[q.id] })) })));
  };
  return (
    <>
      {result ? (
        <View className='card quiz-head' id='practice-result'>
          <Text className='quiz-score'>
            答对 {result.correct}/{result.total}
          </Text>
          <Text className='text'>练习不计积分{result.mastered.length ? `，${result.mastered.length} 道题已移出错题本` : ''}</Text>
          <Text className='muted'>今天还可以核对 {result.checksLeft} 道练习题</Text>
        </View>
      ) : null}
      {questions.map((q, i) => (
        <QuestionCard
          key={q.id}
          q={q}
          index={i}
          total={questions.length}
          choice={choices[q.id] ?? []}
          onChoose={(c) => setChoices({ ...choices, [q.id]: c })}
          result={result?.results.find((r) => r.id === q.id)}
        />
      ))}
      <View className='card'>
        {checking.error ? <Text className='field-error'>{checking.error.message}</Text> : null}
        {result ? (
          <BigButton id='practice-again' onClick={onAgain}>
            再练一组
          </BigButton>
        ) : (
          <BigButton id='practice-check' busy={checking.busy} onClick={check}>
            查看答案
          </BigButton>
        )}
      </View>
    </>
  );
}

function TagPicker({ onPick }: { onPick(tag: string): void }) {
  const req = useRequest(() => quizApi.tags(), []);
  return (
    <Async req={req} isEmpty={(d) => !d.tags.length} emptyText='还没有可以练习的专题：每日答题截止后，出过的题目就可以在这里练习'>
      {(d) => (
        <View className='card'>
          <Text className='card-title'>选择一个专题</Text>
          {d.tags.map((t) => (
            <View key={t.tag} className='list-item tag-item' onClick={() => onPick(t.tag)}>
              <Text className='text'>{t.tag}</Text>
              <Text className='muted'>{t.count} 题</Text>
            </View>
          ))}
        </View>
      )}
    </Async>
  );
}

/** Practice from the wrong book or a tag: scored for the member's own sake, no points, no rankings. */
export default function Practice() {
  const params = useRouter().params;
  const mode = params.mode === 'wrong' ? 'wrong' : 'tag';
  const [tag, setTag] = useState(params.tag ? decodeURIComponent(params.tag) : '');
  const [round, setRound] = useState(0);
  const skip = mode === 'tag' && !tag;
  const req = useRequest(() => quizApi.practice(mode === 'wrong' ? { mode } : { mode, tag }), [mode, tag, round], { skip });
  return (
    <Page className='quiz-practice' title={mode === 'wrong' ? '错题练习' : '专题练习'}>
      {skip ? (
        <TagPicker onPick={setTag} />
      ) : (
        <Async req={req}>{(d) => <Round key={round} questions={d.questions} onAgain={() => setRound(round + 1)} />}</Async>
      )}
    </Page>
  );
}
