import { useEffect, useState } from 'react';
import { Text, View } from '@tarojs/components';
import { quizApi, type SubmissionView, type TodayView } from '../../api/quiz';
import { BigButton } from '../../components/big-button';
import { Page } from '../../components/page';
import { Async, Empty, goTo, SubmitError } from '../../components/states';
import { useElder } from '../../elder/context';
import { useNotice } from '../../hooks/use-notice';
import { useRequest } from '../../hooks/use-request';
import { useSubmit } from '../../hooks/use-submit';
import { askSubscribe } from '../../utils/subscribe';
import { clearDraft, loadDraft, saveDraft } from './draft';
import { isAnswered, QuestionCard } from './question-card';
import './quiz.scss';

const MORE = '/pages/quiz/more';

/** Reminder opt-in: on WeChat one accepted tap grants one subscribe message; the count is shown as it is. */
function RemindOptIn({ quota, onChange }: { quota: number; onChange(q: number): void }) {
  const { notice, notify } = useNotice();
  const asking = useSubmit({ onError: (e) => notify(e.message) });
  const ask = () =>
    asking.send(async () => {
      const accepted = (await askSubscribe(['quizRemind'])).quizRemind;
      const r = await quizApi.subscribe({ accepted });
      onChange(r.remindQuota);
      notify(accepted ? '已开启：支部书记可以提醒您一次' : '您没有允许提醒');
    });
  return (
    <View className='card' id='quiz-remind'>
      <Text className='card-title'>答题提醒</Text>
      <Text className='text'>
        {quota > 0 ? `支部书记还可以提醒您 ${quota} 次（每点一次“允许”可收到一次提醒）` : '还没有开启提醒：开启后，忘记答题时支部书记可以提醒您一次'}
      </Text>
      <BigButton id='quiz-remind-optin' kind='default' busy={asking.busy} onClick={ask}>
        {quota > 0 ? '再允许一次提醒' : '允许提醒我答题'}
      </BigButton>
      {notice ? <Text className='notice'>{notice}</Text> : null}
    </View>
  );
}

function Links() {
  return (
    <View className='card'>
      <View className='quiz-links'>
        <View className='quiz-link' id='quiz-link-wrong' onClick={() => goTo(`${MORE}/wrong/index`)}>
          错题本
        </View>
        <View className='quiz-link' id='quiz-link-points' onClick={() => goTo(`${MORE}/points/index`)}>
          红色手账
        </View>
        <View className='quiz-link' id='quiz-link-rank' onClick={() => goTo(`${MORE}/rank/index`)}>
          参与排行
        </View>
        <View className='quiz-link' id='quiz-link-practice' onClick={() => goTo(`${MORE}/practice/index?mode=tag`)}>
          专题练习
        </View>
      </View>
    </View>
  );
}

function Result({ data, sub }: { data: TodayView; sub: SubmissionView }) {
  return (
    <>
      <View className='card quiz-head' id='quiz-result'>
        <Text className='text'>{sub.day} 每日答题</Text>
        <Text className='quiz-score' id='quiz-score'>
          答对 {sub.correct}/{sub.total}
        </Text>
        <Text className='text' id='quiz-points'>
          {data.unranked ? '上级管理员答题不计积分' : `获得积分 +${sub.points}`}
          {sub.capped ? `（已达每日上限，${sub.capped} 分未计入）` : ''}
        </Text>
        <Text className='text'>已连续答题 {sub.streak} 天</Text>
        <View className='quiz-lines'>
          {sub.lines.map((l) => (
            <Text key={l.rule} className='muted'>
              {l.reason} +{l.points}
            </Text>
          ))}
        </View>
      </View>
      {data.questions.map((q, i) => {
        const r = sub.results.find((x) => x.id === q.id);
        return <QuestionCard key={q.id} q={q} index={i} total={data.questions.length} choice={r?.choice ?? []} result={r} />;
      })}
    </>
  );
}

function Answering({ data, onDone }: { data: TodayView; onDone(s: SubmissionView): void }) {
  const elder = useElder().on;
  const qs = data.questions;
  // answers so far survive going back, leaving and reloading: the draft on the phone
  const [draft] = useState(() => loadDraft(data, qs));
  const [choices, setChoicesState] = useState<Record<string, string[]>>(draft.choices);
  const [at, setAtState] = useState(draft.at);
  const setChoices = (next: Record<string, string[]>) => {
    setChoicesState(next);
    saveDraft(data, { choices: next, at });
  };
  const setAt = (next: number) => {
    setAtState(next);
    saveDraft(data, { choices, at: next });
  };
  const sending = useSubmit();
  const busy = sending.busy;
  const answered = qs.filter((q) => isAnswered(q, choices[q.id])).length;
  const submit = () => {
    if (busy) return;
    if (answered < qs.length) return sending.fail(`还有 ${qs.length - answered} 道题没有作答`);
    // the day the set was fetched for: it may be submitted until 00:30 the next day
    const payload = { day: data.day, answers: qs.map((q) => ({ questionId: q.id, choice: choices[q.id] })) };
    // 重试 sends the same answers again; the day's answer is stored once, so a retry never scores twice
    void sending.send(async () => {
      const sub = await quizApi.submit(payload);
      clearDraft(data);
      onDone(sub);
    });
  };
  const card = (i: number) => (
    <QuestionCard key={qs[i].id} q={qs[i]} index={i} total={qs.length} choice={choices[qs[i].id] ?? []} onChoose={(c) => setChoices({ ...choices, [qs[i].id]: c })} />
  );
  const submitBar = (
    <View className='card'>
      <Text className='muted'>
        已答 {answered}/{qs.length} 题 · 每天只能提交一次，提交后显示答案和解析
      </Text>
      {sending.error ? <SubmitError id='quiz-error' message={sending.error.message} onRetry={sending.canRetry ? sending.retry : undefined} busy={busy} /> : null}
      <BigButton id='quiz-submit' busy={busy} onClick={submit}>
        提交答案
      </BigButton>
    </View>
  );
  if (elder) {
    // 关怀模式: one question per screen, large options, plain next/previous
    const last = at === qs.length - 1;
    return (
      <>
        {card(at)}
        <View className='quiz-nav'>
          {at > 0 ? (
            <BigButton id='quiz-prev' kind='default' onClick={() => setAt(at - 1)}>
              上一题
            </BigButton>
          ) : null}
          {!last ? (
            <BigButton id='quiz-next' disabled={!isAnswered(qs[at], choices[qs[at].id])} onClick={() => setAt(at + 1)}>
              下一题
            </BigButton>
          ) : null}
        </View>
        {last ? submitBar : null}
      </>
    );
  }
  return (
    <>
      {qs.map((_, i) => card(i))}
      {submitBar}
    </>
  );
}

function Today({ data, setData }: { data: TodayView; setData(d: TodayView): void }) {
  const submitted = !!data.submission;
  // submitted (here or on another phone): the draft has served its purpose
  useEffect(() => {
    if (submitted) clearDraft(data);
  }, [submitted, data]);
  if (!data.questions.length) {
    return <Empty text='今天还没有题目：题库暂时为空，请联系上级管理员导入题库' />;
  }
  return (
    <>
      {!data.submission ? (
        <View className='card quiz-head'>
          <Text className='quiz-score'>{data.day} 的题目</Text>
          <Text className='text'>
            共 {data.questions.length} 题 · {data.streak ? `已连续答题 ${data.streak} 天` : '今天开始连续答题'}
          </Text>
          {data.unranked ? (
            <Text className='muted' id='quiz-unranked'>
              您在题库管理中可以查看这些题目的答案，因此答题不计积分，也不参加排名。
            </Text>
          ) : null}
        </View>
      ) : null}
      {data.submission ? <Result data={data} sub={data.submission} /> : <Answering data={data} onDone={(s) => setData({ ...data, submission: s, streak: s.streak })} />}
      <Links />
      <RemindOptIn quota={data.remindQuota} onChange={(q) => setData({ ...data, remindQuota: q })} />
    </>
  );
}

export default function Quiz() {
  const req = useRequest(() => quizApi.today(), []);
  return (
    <Page className='quiz' title='每日答题'>
      <Async req={req}>{(data) => <Today data={data} setData={req.setData} />}</Async>
    </Page>
  );
}
