import { useState } from 'react';
import { Text, View } from '@tarojs/components';
import { quizInputs } from '../../../../../core/quiz/contracts';
import { BANK_COLUMNS, BANK_TEMPLATE_CSV } from '../../../../../core/quiz/bank';
import { toApiError } from '../../../../api';
import { quizApi, type BankImportReport } from '../../../../api/quiz';
import { BigButton } from '../../../../components/big-button';
import { Page } from '../../../../components/page';
import { Async } from '../../../../components/states';
import { useNotice } from '../../../../hooks/use-notice';
import { offerTemplate, pickSpreadsheet, type PickedFile } from '../../../../utils/spreadsheet-file';
import { useRequest } from '../../../../hooks/use-request';
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
  const [file, setFile] = useState<PickedFile | null>(null);
  const [report, setReport] = useState<BankImportReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const { notice, notify } = useNotice();
  const run = async (picked: PickedFile, dryRun: boolean) => {
    const input = { ...picked, dryRun };
    const parsed = quizInputs.importBank.safeParse(input);
    if (!parsed.success) return setError(parsed.error.issues[0]?.message ?? '文件不对');
    setBusy(true);
    setError('');
    try {
      const r = await quizApi.importBank(input);
      setReport(r);
      if (!dryRun) {
        notify(`已导入 ${r.created} 题`);
        onImported();
      }
    } catch (err) {
      setError(toApiError(err).message);
    } finally {
      setBusy(false);
    }
  };
  const choose = async () => {
    try {
      const picked = await pickSpreadsheet('bank-file-input');
      if (!picked) return;
      setFile(picked);
      setReport(null);
      await run(picked, true);
    } catch (err) {
      setError(toApiError(err).message);
    }
  };
  return (
    <>
      <View className='card' id='bank-import'>
        <Text className='card-title'>导入题库（.xlsx 或 .csv）</Text>
        <Text className='muted'>列的顺序：{BANK_COLUMNS.join('、')}。题干相同的题目会被识别为重复并跳过；有错误的文件不会导入任何题目。</Text>
        <BigButton id='bank-template' kind='plain' small onClick={() => downloadTemplate(notify)}>
          下载模板
        </BigButton>
        <BigButton id='bank-choose' kind='default' busy={busy && !report} onClick={choose}>
          {file ? `重新选择（当前：${file.fileName}）` : '选择文件'}
        </BigButton>
        {error ? (
          <Text className='field-error' id='bank-error'>
            {error}
          </Text>
        ) : null}
        {notice ? <Text className='notice'>{notice}</Text> : null}
      </View>
      {report ? <Report r={report} /> : null}
      {report && report.dryRun && !report.errors.length && report.created > 0 && file ? (
        <BigButton id='bank-commit' busy={busy} onClick={() => run(file, false)}>
          确认导入 {report.created} 题
        </BigButton>
      ) : null}
    </>
  );
}

function Questions({ version }: { version: number }) {
  const [status, setStatus] = useState<'active' | 'retired'>('active');
  const [page, setPage] = useState(0);
  const req = useRequest(() => quizApi.listQuestions({ status, page }), [status, page, version]);
  const toggle = async (id: string, retired: boolean) => {
    await quizApi.retireQuestion({ id, retired }).catch(() => undefined);
    req.reload();
  };
  return (
    <View className='card' id='bank-questions'>
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
              <View key={q.id} className='list-item bank-q'>
                <View style={{ flex: 1 }}>
                  <Text className='text'>{q.stem}</Text>
                  <Text className='muted'>
                    答案 {q.answer.join('')} · {q.source} · {q.tags.join('、')}
                  </Text>
                </View>
                <Text className='link' onClick={() => toggle(q.id, status === 'active')}>
                  {status === 'active' ? '停用' : '恢复'}
                </Text>
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

/** 上级管理员: the bank's health (days of fresh questions left), imports, and retiring questions. */
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
          </View>
        )}
      </Async>
      <Import onImported={() => setVersion(version + 1)} />
      <Questions version={version} />
    </Page>
  );
}
