import { Input, Text, View } from '@tarojs/components';
import { fillAnswerText, splitStem } from '../../../core/quiz/fill';
import { TYPE_LABEL, type PublicQuestion, type QuestionResult } from '../../../core/quiz/question';

/** 填空题: one large input per blank, in the order of the stem; after scoring, the accepted answers. */
function FillBlanks({ q, index, choice, onChoose, result }: { q: PublicQuestion; index: number; choice: string[]; onChoose?: (next: string[]) => void; result?: QuestionResult }) {
  const n = q.blanks ?? 1;
  const values = Array.from({ length: n }, (_, i) => choice[i] ?? '');
  return (
    <View className='quiz-fill'>
      {values.map((v, i) => (
        <View key={i} className='quiz-fill-row'>
          {n > 1 ? <Text className='quiz-fill-label'>第 {i + 1} 空</Text> : null}
          <Input
            id={`q-${index}-blank-${i}`}
            className={`quiz-fill-input ${result ? (result.correct ? 'quiz-fill-input--right' : 'quiz-fill-input--wrong') : ''}`}
            value={v}
            maxlength={60}
            disabled={!onChoose || !!result}
            placeholder={n > 1 ? `请填写第 ${i + 1} 个空` : '请填写答案'}
            onInput={(e) => onChoose?.(values.map((x, k) => (k === i ? e.detail.value : x)))}
          />
        </View>
      ))}
    </View>
  );
}

/** The stem with its blanks shown as underlined gaps (numbered when there are several). */
function Stem({ q }: { q: PublicQuestion }) {
  if (q.type !== 'fill') return <Text className='quiz-stem'>{q.stem}</Text>;
  const parts = splitStem(q.stem);
  return (
    <Text className='quiz-stem'>
      {parts.map((p, i) => (
        <Text key={i}>
          {p}
          {i < parts.length - 1 ? <Text className='quiz-blank'>{parts.length > 2 ? `（${i + 1}）` : '（　　）'}</Text> : null}
        </Text>
      ))}
    </Text>
  );
}

/** One question: options as large tappable rows, or inputs for the blanks; after scoring, the right answer and 解析. */
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
  const rightAnswer = result ? (q.type === 'fill' ? fillAnswerText(result.answer) : result.answer.join('')) : '';
  return (
    <View className={`card quiz-q ${result ? (result.correct ? 'quiz-q--right' : 'quiz-q--wrong') : ''}`} id={`q-${index}`} data-type={q.type}>
      <View className='row'>
        <Text className='badge quiz-type'>{TYPE_LABEL[q.type]}</Text>
        <Text className='muted'>
          第 {index + 1}/{total} 题{q.source ? ` · ${q.source}` : ''}
        </Text>
      </View>
      <Stem q={q} />
      {q.type === 'multi' && !result ? <Text className='muted'>（可选多项）</Text> : null}
      {q.type === 'fill' ? <FillBlanks q={q} index={index} choice={choice} onChoose={onChoose} result={result} /> : null}
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
            {result.correct ? (q.type === 'fill' ? `回答正确，答案：${rightAnswer}` : '回答正确') : `回答错误，正确答案：${rightAnswer}`}
          </Text>
          <Text className='text quiz-explanation'>{result.explanation ? `解析：${result.explanation}` : '暂无解析'}</Text>
        </View>
      ) : null}
    </View>
  );
}

/** Has the member answered this question (every blank filled, or an option chosen)? */
export const isAnswered = (q: PublicQuestion, choice: string[] | undefined): boolean =>
  q.type === 'fill' ? Array.from({ length: q.blanks ?? 1 }, (_, i) => (choice?.[i] ?? '').trim()).every(Boolean) : (choice ?? []).length > 0;
