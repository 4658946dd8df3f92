import { Text, View } from '@tarojs/components';
import { TYPE_LABEL, type PublicQuestion, type QuestionResult } from '../../../core/quiz/question';

/** One question: options as large tappable rows; after scoring, the right answer and 解析. */
export function QuestionCard({
  q,
  index,
  total,
  choice,
  onChoose,
  result,
}: {
  q: PublicQuestion;
  index: number;
  total: number;
  choice: string[];
  onChoose?: (next: string[]) => void;
  result?: QuestionResult;
}) {
  const toggle = (id: string) => {
    if (!onChoose || result) return;
    if (q.type === 'multi') onChoose(choice.includes(id) ? choice.filter((c) => c !== id) : [...choice, id].sort());
    else onChoose([id]);
  };
  return (
    <View className={`card quiz-q ${result ? (result.correct ? 'quiz-q--right' : 'quiz-q--wrong') : ''}`} id={`q-${index}`}>
      <View className='row'>
        <Text className='badge quiz-type'>{TYPE_LABEL[q.type]}</Text>
        <Text className='muted'>
          第 {index + 1}/{total} 题 · {q.source}
        </Text>
      </View>
      <Text className='quiz-stem'>{q.stem}</Text>
      {q.type === 'multi' && !result ? <Text className='muted'>（可选多项）</Text> : null}
      {q.options.map((o) => {
        const chosen = choice.includes(o.id);
        const isAnswer = !!result?.answer.includes(o.id);
        const cls = ['quiz-opt', chosen ? 'quiz-opt--chosen' : '', result && isAnswer ? 'quiz-opt--answer' : '', result && chosen && !isAnswer ? 'quiz-opt--miss' : '']
          .filter(Boolean)
          .join(' ');
        return (
          <View key={o.id} id={`q-${index}-opt-${o.id}`} className={cls} aria-role='button' aria-checked={chosen} onClick={() => toggle(o.id)}>
            <Text className='quiz-opt-id'>{o.id}</Text>
            <Text className='quiz-opt-text'>{o.text}</Text>
          </View>
        );
      })}
      {result ? (
        <View className='quiz-explain'>
          <Text className={`text ${result.correct ? 'text-ok' : 'text-red'} quiz-verdict`}>
            {result.correct ? '回答正确' : `回答错误，正确答案：${result.answer.join('')}`}
          </Text>
          <Text className='text quiz-explanation'>解析：{result.explanation}</Text>
        </View>
      ) : null}
    </View>
  );
}
