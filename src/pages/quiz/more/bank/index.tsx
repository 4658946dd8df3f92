import { useState } from 'react';
import { Input, Text, Textarea, View } from '@tarojs/components';
import { quizInputs } from '../../../../../core/quiz/contracts';
import { BANK_TEMPLATE_CSV } from '../../../../../core/quiz/bank';
import { quizApi, type BankImportReport, type QuestionAdminView, type QuizOutputs } from '../../../../api/quiz';
import { toApiError } from '../../../../api/errors';
import { fillAnswerText } from '../../../../../core/quiz/fill';
import { TYPE_LABEL } from '../../../../../core/quiz/question';
import { BigButton } from '../../../../components/big-button';
import { Chip } from '../../../../components/chip';
import { Page } from '../../../../components/page';
import { Async } from '../../../../components/states';
import { useNotice } from '../../../../hooks/use-notice';
import { useRequest } from '../../../../hooks/use-request';
import { useBatchImport, type Progress } from '../../../../hooks/use-batch-import';
import { useSubmit } from '../../../../hooks/use-submit';
import { offerTemplate } from '../../../../utils/spreadsheet-file';
import { openReportFile } from '../../../../utils/upload-import';
import '../../quiz.scss';
import './bank.scss';

const downloadTemplate = (notify: (t: string) => void) => offerTemplate(BANK_TEMPLATE_CSV, '题库导入模板.csv', notify);

function Report({ r, onFileError }: { r: ImportProgress; onFileError(message: string): void }) {
  const done = r.dryRun ? r.valid : r.processed;
  return (
    <View className='card' id='bank-report'>
      <Text className='card-title'>{r.dryRun ? '检查结果（尚未导入）' : r.next === null ? '导入结果' : '正在导入…'}</Text>
      {r.fatal ? (
        <Text className='text text-red bank-error' id='bank-fatal'>
          {r.fatal}
        </Text>
      ) : (
        <>
          {!r.dryRun ? (
            <View className='bank-progress' id='bank-progress' data-done={done} data-of={r.valid}>
              <View className='bank-progress-bar' style={{ width: `${r.valid ? Math.round((done / r.valid) * 100) : 100}%` }} />
            </View>
          ) : null}
          <Text className='text' id='bank-report-summary'>
            共 {r.total} {r.unit === '题' ? '题' : '行'}：{r.dryRun ? '可导入' : '已导入'} {r.created} 题，重复跳过 {r.skipped} 题，需要修改 {r.needsChanges} {r.unit}
          </Text>
          {r.warningCount ? <Text className='muted'>{r.warningCount} 处已自动处理（如标签过长已截断），仍会导入。</Text> : null}
          {r.problemsFile ? (
            <BigButton
              id='bank-problems-file'
              kind='plain'
              small
              onClick={() => r.problemsFile && void openReportFile(r.problemsFile, '需要修改的题目.xlsx').catch((e) => onFileError(toApiError(e).message))}
            >
              下载需要修改的 {r.needsChanges} {r.unit}（含“问题”列）
            </BigButton>
          ) : null}
        </>
      )}
      {r.errors.map((e, i) => (
        <Text key={`e${i}`} className='text text-red report-row bank-error'>
          第 {e.row} {r.unit}：{e.message}
        </Text>
      ))}
      {r.warnings.slice(0, 5).map((e, i) => (
        <Text key={`w${i}`} className='muted report-row bank-warning'>
          第 {e.row} {r.unit}：{e.message}
        </Text>
      ))}
      {r.duplicates.map((e, i) => (
        <Text key={`d${i}`} className='text text-warn report-row bank-duplicate'>
          第 {e.row} {r.unit}：{e.message}
        </Text>
      ))}
    </View>
  );
}

type ImportProgress = Progress<BankImportReport>;

function Import({ importDir, onImported }: { importDir: string; onImported(): void }) {
  const { notice, notify } = useNotice();
  const [defaultSource, setDefaultSource] = useState('');
  const source = defaultSource.trim() || undefined;
  const { file, report, run, choose, commit } = useBatchImport<BankImportReport>({
    dir: importDir,
    inputId: 'bank-file-input',
    call: (f, batch) => quizApi.importBankFile({ fileID: f.fileID, fileName: f.fileName, defaultSource: source, ...batch }),
    merge: (s, r) => ({ ...s, created: s.created + r.created, skipped: s.skipped + r.skipped, duplicates: [...s.duplicates, ...r.duplicates].slice(0, 20) }),
  });
  const importAll = async () => {
    const sum = await commit();
    if (!sum) return;
    notify(`已导入 ${sum.created} 题`);
    onImported();
  };
  return (
    <>
      <View className='card' id='bank-import'>
        <Text className='card-title'>导入题库（.xlsx、.csv 或 .docx）</Text>
        <Text className='muted'>
          按表头识别列，顺序不限：题型、题干（题目）、选项A–F 或一列“选项”、答案、解析、出处、知识点（标签）、难度；解析、出处等可以不填。Word 文档按“1. 题干 A. … 答案：B 解析：…”的格式。单个文件可到 10 MB（约 2 万题），有问题的行会单独列出，其余照常导入。
        </Text>
        <View className='field'>
          <Text className='field-label'>默认出处（没有填写出处的题目使用）</Text>
          <Input id='bank-default-source' className='field-input' value={defaultSource} maxlength={50} placeholder='例如：党史学习教育题库' onInput={(e) => setDefaultSource(e.detail.value)} />
        </View>
        <BigButton id='bank-template' kind='plain' small onClick={() => downloadTemplate(notify)}>
          下载模板
        </BigButton>
        <BigButton id='bank-choose' kind='default' busy={run.busyKey === 'check'} disabled={run.busyKey === 'commit'} onClick={() => void choose()}>
          {file ? `重新选择（当前：${file.fileName}）` : '选择文件并检查'}
        </BigButton>
        {run.error ? (
          <Text className='field-error' id='bank-error'>
            {run.error.message}
          </Text>
        ) : null}
        {notice ? <Text className='notice'>{notice}</Text> : null}
      </View>
      {report ? <Report r={report} onFileError={notify} /> : null}
      {report && report.dryRun && !report.fatal && report.created > 0 && file ? (
        <BigButton id='bank-commit' busy={run.busyKey === 'commit'} onClick={importAll}>
          确认导入 {report.created} 题{report.needsChanges ? `（${report.needsChanges} ${report.unit}需要修改的不导入）` : ''}
        </BigButton>
      ) : null}
    </>
  );
}

/** By type and topic: fresh questions left and when the bank starts to repeat. */
function Health({ s }: { s: QuizOutputs['bankStatus'] }) {
  const h = s.health;
  return (
    <View className='card' id='bank-health'>
      <Text className='card-title'>题库余量</Text>
      <Text className='text' id='bank-runs-out'>
        按每天 {s.perDay} 题，新题可用到 {h.runsOutOn} 的前一天；{h.runsOutOn} 起开始重复出题。
      </Text>
      {h.byType.map((t) => (
        <View key={t.type} className='bank-health-row bank-health-type' data-type={t.type}>
          <Text>{TYPE_LABEL[t.type]}</Text>
          <Text>
            共 {t.active} · 未出 {t.fresh}
            {t.days !== null ? ` · 约 ${t.days} 天` : h.mix[t.type] === 0 ? ' · 不出此题型' : ''}
          </Text>
        </View>
      ))}
      <Text className='muted'>
        每日题型比例 单选:多选:判断:填空 = {h.mix.single}:{h.mix.multi}:{h.mix.judge}:{h.mix.fill}
      </Text>
      {h.byTag.length ? <Text className='field-label'>按知识点</Text> : null}
      {h.byTag.map((t) => (
        <View key={t.key} className='bank-health-row bank-health-tag'>
          <Text>{t.key}</Text>
          <Text>
            共 {t.active} · 未出 {t.fresh}
          </Text>
        </View>
      ))}
      {h.untagged.active ? (
        <View className='bank-health-row'>
          <Text>未标知识点</Text>
          <Text>
            共 {h.untagged.active} · 未出 {h.untagged.fresh}
          </Text>
        </View>
      ) : null}
    </View>
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
                      {TYPE_LABEL[q.type]} · 答案 {q.type === 'fill' ? fillAnswerText(q.answer) : q.answer.join('')}
                      {q.source ? ` · ${q.source}` : ''} · {q.tags.join('、')} · {DIFFICULTY.find((d) => d.value === q.difficulty)?.label}
                      {q.explanation ? '' : ' · 暂无解析'}
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

const MIX_TYPES = ['single', 'multi', 'judge', 'fill'] as const;
type Mix = Record<(typeof MIX_TYPES)[number], number>;

/** 每日题量 and the mix of types (relative weights): take effect from the next set chosen (today's too, if nobody has fetched it yet). */
function PerDay({ perDay, mix, onSaved }: { perDay: number; mix: Mix; onSaved(): void }) {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState(String(perDay));
  const [weights, setWeights] = useState<Record<keyof Mix, string>>(() => mixText(mix));
  const saving = useSubmit();
  const { notice, notify } = useNotice();
  const save = async () => {
    const num = (v: string) => (v.trim() === '' ? NaN : Number(v));
    const parsed = quizInputs.setPerDay.safeParse({
      perDay: num(value),
      mix: Object.fromEntries(MIX_TYPES.map((t) => [t, num(weights[t])])),
    });
    if (!parsed.success) return saving.fail(parsed.error.issues[0]?.code === 'invalid_type' ? '请填写整数' : firstIssue(parsed.error.issues));
    await saving.send(async () => {
      const r = await quizApi.setPerDay(parsed.data);
      setOpen(false);
      const m = r.mix ?? parsed.data.mix!;
      notify(`已改为每天 ${r.perDay} 题，单选:多选:判断:填空 = ${m.single}:${m.multi}:${m.judge}:${m.fill}`);
      onSaved();
    });
  };
  if (!open) {
    return (
      <>
        <BigButton id='perday-edit' kind='plain' small onClick={() => (setValue(String(perDay)), setWeights(mixText(mix)), saving.clear(), setOpen(true))}>
          修改每日题量和题型比例
        </BigButton>
        {notice ? (
          <Text className='notice' id='perday-notice'>
            {notice}
          </Text>
        ) : null}
      </>
    );
  }
  return (
    <View id='perday-editor'>
      <View className='field'>
        <Text className='field-label'>每日题量（题/天）</Text>
        <Input id='perday-input' className='field-input' type='number' value={value} onInput={(e) => setValue(e.detail.value)} />
      </View>
      <Text className='field-label'>每日题型比例（0–20，0 表示不出这种题型）</Text>
      <View className='mix-row'>
        {MIX_TYPES.map((t) => (
          <View key={t} className='field mix-field'>
            <Text className='field-label'>{TYPE_LABEL[t]}</Text>
            <Input
              id={`mix-${t}`}
              className='field-input'
              type='number'
              value={weights[t]}
              maxlength={2}
              onInput={(e) => setWeights((w) => ({ ...w, [t]: e.detail.value }))}
            />
          </View>
        ))}
      </View>
      <Text className='muted'>例如 2:1:1:1 表示每天的题目中单选约占五分之二。从下一次出题开始生效：今天的题目如果已经有人打开过，就从明天起生效。</Text>
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

const mixText = (m: Mix): Record<keyof Mix, string> => ({ single: String(m.single), multi: String(m.multi), judge: String(m.judge), fill: String(m.fill) });

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
            <PerDay perDay={s.perDay} mix={s.health.mix} onSaved={status.reload} />
          </View>
        )}
      </Async>
      {status.data ? <Health s={status.data} /> : null}
      {status.data ? <Import importDir={status.data.importDir} onImported={() => setVersion(version + 1)} /> : null}
      <Questions version={version} pinnedDays={status.data?.pinnedDays ?? []} onPinned={status.reload} />
    </Page>
  );
}
