import { useState } from 'react';
import { Input, Text, Textarea, View } from '@tarojs/components';
import { quizInputs } from '../../../../../core/quiz/contracts';
import { BANK_COLUMNS, BANK_TEMPLATE_CSV } from '../../../../../core/quiz/bank';
import { quizApi, type BankImportReport, type QuestionAdminView } from '../../../../api/quiz';
import { BigButton } from '../../../../components/big-button';
import { Chip } from '../../../../components/chip';
import { Page } from '../../../../components/page';
import { Async } from '../../../../components/states';
import { useNotice } from '../../../../hooks/use-notice';
import { useRequest } from '../../../../hooks/use-request';
import { useSpreadsheetImport } from '../../../../hooks/use-spreadsheet-import';
import { useSubmit } from '../../../../hooks/use-submit';
import { offerTemplate } from '../../../../utils/spreadsheet-file';
import '../../quiz.scss';

const downloadTemplate = (notify: (t: string) => void) => offerTemplate(BANK_TEMPLATE_CSV, '题库导入模板.csv', notify);

function Report({ r }: { r: BankImportReport }) {
  return (
    <View className='card' id='bank-report'>
      <Text className='card-title'>{r.dryRun ? '检查结果（尚未导入）' : '导入结果'}</Text>
      <Text className='text' id='bank-report-summary'>
        共 {r.total} 行：{r.errors.length ? `${r.errors.length} 处错误，修改后才能导入` : `${r.dryRun ? '可导入' : '已导入'} ${r.created} 题`}
        {r.duplicates.length ? `，${r.duplicates.length} 题重复将跳过` : ''}
      </Text>
      {r.errors.map((e, i) => (
        <Text key={`e${i}`} className='text text-red report-row bank-error'>
          第 {e.row} 行：{e.message}
        </Text>
      ))}
      {r.duplicates.map((e, i) => (
        <Text key={`d${i}`} className='text text-warn report-row bank-duplicate'>
          第 {e.row} 行：{e.message}
        </Text>
      ))}
    </View>
  );
}

function Import({ onImported }: { onImported(): void }) {
  const { notice, notify } = useNotice();
  const bank = useSpreadsheetImport({
    inputId: 'bank-file-input',
    schema: quizInputs.importBank,
    send: (input) => quizApi.importBank(input),
    onImported: (r) => {
      notify(`已导入 ${r.created} 题`);
      onImported();
    },
  });
  const { file, report } = bank;
  return (
    <>
      <View className='card' id='bank-import'>
        <Text className='card-title'>导入题库（.xlsx 或 .csv）</Text>
        <Text className='muted'>列的顺序：{BANK_COLUMNS.join('、')}。题干相同的题目会被识别为重复并跳过；有错误的文件不会导入任何题目。</Text>
        <BigButton id='bank-template' kind='plain' small onClick={() => downloadTemplate(notify)}>
          下载模板
        </BigButton>
        <BigButton id='bank-choose' kind='default' busy={bank.busyKey === 'check'} onClick={bank.choose}>
          {file ? `重新选择（当前：${file.fileName}）` : '选择文件'}
        </BigButton>
        {bank.error ? (
          <Text className='field-error' id='bank-error'>
            {bank.error.message}
          </Text>
        ) : null}
        {notice ? <Text className='notice'>{notice}</Text> : null}
      </View>
      {report ? <Report r={report} /> : null}
      {report && report.dryRun && !report.errors.length && report.created > 0 && file ? (
        <BigButton id='bank-commit' busy={bank.busyKey === 'commit'} onClick={bank.commit}>
          确认导入 {report.created} 题
        </BigButton>
      ) : null}
    </>
  );
}

const DIFFICULTY: Array<{ value: 1 | 2 | 3; label: string }> = [
  { value: 1, label: '易' },
  { value: 2, label: '中' },
  { value: 3, label: '难' },
];

const firstIssue = (issues: Array<{ message: string }>) => issues[0]?.message ?? '填写有误';

/** Inline edit of what members see after answering (解析, 出处) and how the question is grouped. */
function QuestionEdit({ q, onDone }: { q: QuestionAdminView; onDone(saved: QuestionAdminView | null): void }) {
  const [explanation, setExplanation] = useState(q.explanation);
  const [source, setSource] = useState(q.source);
  const [tags, setTags] = useState(q.tags.join('、'));
  const [difficulty, setDifficulty] = useState<1 | 2 | 3>(q.difficulty);
  const saving = useSubmit();
  const save = async () => {
    const tagList = tags.split(/[、，,\s]+/).map((t) => t.trim()).filter(Boolean);
    // only changed fields are sent, so an old question without 解析 can still get a new 出处
    const input = {
      id: q.id,
      ...(explanation.trim() !== q.explanation ? { explanation } : {}),
      ...(source.trim() !== q.source ? { source } : {}),
      ...(tagList.join('、') !== q.tags.join('、') ? { tags: tagList } : {}),
      ...(difficulty !== q.difficulty ? { difficulty } : {}),
    };
    if (Object.keys(input).length === 1) return onDone(null);
    const parsed = quizInputs.editQuestion.safeParse(input);
    if (!parsed.success) return saving.fail(firstIssue(parsed.error.issues));
    await saving.send(async () => onDone(await quizApi.editQuestion(parsed.data)));
  };
  return (
    <View className='question-edit'>
      <View className='field'>
        <Text className='field-label'>解析</Text>
        <Textarea className='textarea question-explanation' value={explanation} maxlength={500} onInput={(e) => setExplanation(e.detail.value)} />
      </View>
      <View className='field'>
        <Text className='field-label'>出处</Text>
        <Input className='field-input question-source' value={source} maxlength={50} onInput={(e) => setSource(e.detail.value)} />
      </View>
      <View className='field'>
        <Text className='field-label'>标签（用顿号分隔，最多 5 个）</Text>
        <Input className='field-input question-tags' value={tags} maxlength={80} onInput={(e) => setTags(e.detail.value)} />
      </View>
      <Text className='field-label'>难度</Text>
      <View className='chips'>
        {DIFFICULTY.map((d) => (
          <Chip key={d.value} on={d.value === difficulty} className='difficulty-chip' onClick={() => setDifficulty(d.value)}>
            {d.label}
          </Chip>
        ))}
      </View>
      {saving.error ? <Text className='field-error question-error'>{saving.error.message}</Text> : null}
      <BigButton className='question-save' small busy={saving.busy} onClick={save}>
        保存
      </BigButton>
      <BigButton className='question-cancel' kind='plain' small onClick={() => onDone(null)}>
        取消
      </BigButton>
    </View>
  );
}

/** Inline: fix this question into one day's set (replaces whatever that day had pinned). */
function QuestionPin({ q, pinnedDays, onDone }: { q: QuestionAdminView; pinnedDays: string[]; onDone(day: string | null): void }) {
  const [day, setDay] = useState('');
  const pinning = useSubmit();
  const save = async () => {
    const parsed = quizInputs.pin.safeParse({ day: day.trim(), questionIds: [q.id] });
    if (!parsed.success) return pinning.fail(firstIssue(parsed.error.issues));
    await pinning.send(async () => onDone((await quizApi.pin(parsed.data)).day));
  };
  return (
    <View className='question-pin'>
      <View className='field'>
        <Text className='field-label'>固定到哪一天（YYYY-MM-DD）</Text>
        <Input className='field-input question-pin-day' value={day} maxlength={10} placeholder='例如：2025-07-01' onInput={(e) => setDay(e.detail.value)} />
      </View>
      {pinnedDays.includes(day.trim()) ? <Text className='text text-warn'>这一天已指定过题目，保存后将替换为本题。</Text> : null}
      {pinning.error ? <Text className='field-error question-error'>{pinning.error.message}</Text> : null}
      <BigButton className='question-pin-save' small busy={pinning.busy} onClick={save}>
        确认固定
      </BigButton>
      <BigButton className='question-cancel' kind='plain' small onClick={() => onDone(null)}>
        取消
      </BigButton>
    </View>
  );
}

function Questions({ version, pinnedDays, onPinned }: { version: number; pinnedDays: string[]; onPinned(): void }) {
  const [status, setStatus] = useState<'active' | 'retired'>('active');
  const [page, setPage] = useState(0);
  const req = useRequest(() => quizApi.listQuestions({ status, page }), [status, page, version]);
  // one inline form open at a time keeps the long list readable
  const [open, setOpen] = useState<{ id: string; mode: 'edit' | 'pin' } | null>(null);
  const { notice, notify } = useNotice();
  const replace = (saved: QuestionAdminView) =>
    req.data && req.setData({ ...req.data, questions: req.data.questions.map((x) => (x.id === saved.id ? saved : x)) });
  const toggle = async (id: string, retired: boolean) => {
    await quizApi.retireQuestion({ id, retired }).catch(() => undefined);
    req.reload();
  };
  return (
    <View className='card' id='bank-questions'>
      {notice ? <Text className='notice'>{notice}</Text> : null}
      <View className='tab-bar'>
        <View className={`tab ${status === 'active' ? 'tab--on' : ''}`} onClick={() => (setStatus('active'), setPage(0))}>
          使用中
        </View>
        <View className={`tab ${status === 'retired' ? 'tab--on' : ''}`} onClick={() => (setStatus('retired'), setPage(0))}>
          已停用
        </View>
      </View>
      <Async req={req} isEmpty={(d) => !d.questions.length} emptyText='没有题目'>
        {(d) => (
          <>
            {d.questions.map((q) => (
              <View key={q.id} className='bank-q-wrap' data-id={q.id}>
                <View className='list-item bank-q'>
                  <View style={{ flex: 1 }}>
                    <Text className='text'>{q.stem}</Text>
                    <Text className='muted'>
                      答案 {q.answer.join('')} · {q.source} · {q.tags.join('、')} · {DIFFICULTY.find((d) => d.value === q.difficulty)?.label}
                    </Text>
                  </View>
                  <Text className='link question-edit-btn' onClick={() => setOpen({ id: q.id, mode: 'edit' })}>
                    编辑
                  </Text>
                  {status === 'active' ? (
                    <Text className='link question-pin-btn' onClick={() => setOpen({ id: q.id, mode: 'pin' })}>
                      固定到某日
                    </Text>
                  ) : null}
                  <Text className='link' onClick={() => toggle(q.id, status === 'active')}>
                    {status === 'active' ? '停用' : '恢复'}
                  </Text>
                </View>
                {open?.id === q.id && open.mode === 'edit' ? (
                  <QuestionEdit
                    q={q}
                    onDone={(saved) => {
                      setOpen(null);
                      if (saved) {
                        replace(saved);
                        notify('已保存');
                      }
                    }}
                  />
                ) : null}
                {open?.id === q.id && open.mode === 'pin' ? (
                  <QuestionPin
                    q={q}
                    pinnedDays={pinnedDays}
                    onDone={(day) => {
                      setOpen(null);
                      if (day) {
                        notify(`已固定到 ${day}`);
                        onPinned();
                      }
                    }}
                  />
                ) : null}
              </View>
            ))}
            <View className='pager'>
              <Text className='link' onClick={() => page > 0 && setPage(page - 1)}>
                {page > 0 ? '上一页' : ''}
              </Text>
              <Text className='muted'>
                第 {page + 1} 页 / 共 {Math.max(1, Math.ceil(d.total / 20))} 页
              </Text>
              <Text className='link' onClick={() => (page + 1) * 20 < d.total && setPage(page + 1)}>
                {(page + 1) * 20 < d.total ? '下一页' : ''}
              </Text>
            </View>
          </>
        )}
      </Async>
    </View>
  );
}

/** 每日题量: takes effect from the next set chosen (today's too, if nobody has fetched it yet). */
function PerDay({ perDay, onSaved }: { perDay: number; onSaved(): void }) {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState(String(perDay));
  const saving = useSubmit();
  const { notice, notify } = useNotice();
  const save = async () => {
    const parsed = quizInputs.setPerDay.safeParse({ perDay: value.trim() === '' ? NaN : Number(value) });
    if (!parsed.success) return saving.fail(parsed.error.issues[0]?.code === 'invalid_type' ? '请填写整数' : firstIssue(parsed.error.issues));
    await saving.send(async () => {
      const r = await quizApi.setPerDay(parsed.data);
      setOpen(false);
      notify(`已改为每天 ${r.perDay} 题`);
      onSaved();
    });
  };
  if (!open) {
    return (
      <>
        <BigButton id='perday-edit' kind='plain' small onClick={() => (setValue(String(perDay)), saving.clear(), setOpen(true))}>
          修改每日题量
        </BigButton>
        {notice ? <Text className='notice'>{notice}</Text> : null}
      </>
    );
  }
  return (
    <View id='perday-editor'>
      <View className='field'>
        <Text className='field-label'>每日题量（题/天）</Text>
        <Input id='perday-input' className='field-input' type='number' value={value} onInput={(e) => setValue(e.detail.value)} />
      </View>
      <Text className='muted'>从下一次出题开始生效：今天的题目如果已经有人打开过，就从明天起生效。</Text>
      {saving.error ? (
        <Text className='field-error' id='perday-error'>
          {saving.error.message}
        </Text>
      ) : null}
      <BigButton id='perday-save' small busy={saving.busy} onClick={save}>
        保存
      </BigButton>
      <BigButton kind='plain' small onClick={() => setOpen(false)}>
        取消
      </BigButton>
    </View>
  );
}

/** 上级管理员: the bank's health (days of fresh questions left), questions per day, imports, editing, pinning and retiring questions. */
export default function Bank() {
  const [version, setVersion] = useState(0);
  const status = useRequest(() => quizApi.bankStatus(), [version]);
  return (
    <Page className='quiz-bank' title='题库管理'>
      <Async req={status}>
        {(s) => (
          <View className='card' id='bank-status'>
            <Text className='card-title'>{s.orgName} 题库</Text>
            <View className='stat-row'>
              <View className='stat'>
                <Text className='stat-num'>{s.active}</Text>
                <Text className='muted'>使用中</Text>
              </View>
              <View className='stat'>
                <Text className='stat-num' id='bank-fresh-days'>
                  {s.freshDays}
                </Text>
                <Text className='muted'>天新题可用</Text>
              </View>
              <View className='stat'>
                <Text className='stat-num'>{s.perDay}</Text>
                <Text className='muted'>题/天</Text>
              </View>
            </View>
            {s.low ? (
              <Text className='text text-warn' id='bank-low'>
                新题只够 {s.freshDays} 天了：用完后会从头轮换，请尽快导入新题。
              </Text>
            ) : (
              <Text className='muted'>每道题用过一次之前不会重复出现（当前第 {s.cycle} 轮）。</Text>
            )}
            {s.pinnedDays.length ? <Text className='muted'>已指定题目的日期：{s.pinnedDays.join('、')}</Text> : null}
            {s.ownQuizUnranked ? (
              <Text className='muted' id='bank-unranked'>
                您能在这里看到自己每日答题所用题目的答案，因此您答题不计积分，也不参加排名。
              </Text>
            ) : null}
            <PerDay perDay={s.perDay} onSaved={status.reload} />
          </View>
        )}
      </Async>
      <Import onImported={() => setVersion(version + 1)} />
      <Questions version={version} pinnedDays={status.data?.pinnedDays ?? []} onPinned={status.reload} />
    </Page>
  );
}
