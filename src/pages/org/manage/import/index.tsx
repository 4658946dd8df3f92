import { useRef, useState } from 'react';
import { Text, View } from '@tarojs/components';
import { ROSTER_TEMPLATE_CSV } from '../../../../../core/org/roster';
import { importDir } from '../../../../../core/sheet/upload-path';
import { orgApi, type RosterFileReport } from '../../../../api/org';
import { toApiError } from '../../../../api/errors';
import { BigButton } from '../../../../components/big-button';
import { Page } from '../../../../components/page';
import { useNotice } from '../../../../hooks/use-notice';
import { useRequest } from '../../../../hooks/use-request';
import { useSubmit } from '../../../../hooks/use-submit';
import { offerTemplate } from '../../../../utils/spreadsheet-file';
import { newImportRunId, openReportFile, pickAndUploadImport, type UploadedImport } from '../../../../utils/upload-import';
import '../manage.scss';
import './import.scss';

const downloadTemplate = (notify: (t: string) => void) => offerTemplate(ROSTER_TEMPLATE_CSV, '党员名册模板.csv', notify);

/** The running sums of an import's calls (each call reports its own batch), and how far it got. */
type Progress = RosterFileReport & { processed: number };

function Report({ r, onFileError }: { r: Progress; onFileError(message: string): void }) {
  const done = r.next === null ? r.valid : r.processed;
  return (
    <View className='card' id='import-report'>
      <Text className='card-title'>{r.dryRun ? '检查结果（尚未导入）' : r.next === null ? '导入完成' : '正在导入…'}</Text>
      {r.fatal ? (
        <Text className='text text-red' id='import-fatal'>
          {r.fatal}
        </Text>
      ) : (
        <>
          {!r.dryRun ? (
            <View className='import-progress' id='import-progress' data-done={done} data-of={r.valid}>
              <View className='import-progress-bar' style={{ width: `${r.valid ? Math.round((done / r.valid) * 100) : 100}%` }} />
            </View>
          ) : null}
          <Text className='text' id='import-summary'>
            共 {r.total} 行：{r.dryRun ? '将' : '已'}新增 {r.created} 人，更新 {r.updated} 人，无变化 {r.unchanged} 人，需要修改 {r.needsChanges} 行
          </Text>
          {r.needsChanges ? <Text className='muted'>需要修改的行不会导入，其余照常导入；改好后重新上传这些行即可。</Text> : null}
          {r.problemsFile ? (
            <BigButton
              id='import-problems-file'
              kind='plain'
              small
              onClick={() => r.problemsFile && void openReportFile(r.problemsFile, '需要修改的党员.xlsx').catch((e) => onFileError(toApiError(e).message))}
            >
              下载需要修改的 {r.needsChanges} 行（含“问题”列）
            </BigButton>
          ) : null}
        </>
      )}
      {r.errors.map((e, i) => (
        <Text key={i} className='report-error'>
          第 {e.row} 行 {e.field}：{e.message}
        </Text>
      ))}
      {r.needsChanges > r.errors.length && !r.fatal ? <Text className='muted'>其余问题请看下载的文件</Text> : null}
    </View>
  );
}

export default function Import() {
  const { notice, notify } = useNotice();
  const me = useRequest(() => orgApi.me(), []);
  const [file, setFile] = useState<UploadedImport | null>(null);
  const [report, setReport] = useState<Progress | null>(null);
  const run = useSubmit<void, 'check' | 'commit'>();
  // where a stopped import resumes: the same run, from the next row it had not done
  const resume = useRef<{ runId: string; from: number; sum: Progress | null } | null>(null);

  const check = (f: UploadedImport) =>
    run.send(async () => {
      const r = await orgApi.importRosterFile({ fileID: f.fileID, fileName: f.fileName, dryRun: true });
      setReport({ ...r, processed: 0 });
    }, 'check');

  const choose = async () => {
    if (run.busy || !me.data) return;
    try {
      const f = await pickAndUploadImport(importDir('roster', me.data.openid), 'import-file-input', ['xlsx', 'csv']);
      if (!f) return;
      setFile(f);
      setReport(null);
      resume.current = null;
      await check(f);
    } catch (err) {
      run.fail(toApiError(err).message);
    }
  };

  // batch after batch until the function says it is done; after a failure the same button carries on from where it stopped
  const commit = () =>
    file &&
    run.send(async () => {
      const state = (resume.current ??= { runId: newImportRunId(), from: 0, sum: null });
      for (;;) {
        const r = await orgApi.importRosterFile({ fileID: file.fileID, fileName: file.fileName, dryRun: false, from: state.from, runId: state.runId });
        const s = state.sum;
        state.sum = s
          ? {
              ...s,
              created: s.created + r.created,
              updated: s.updated + r.updated,
              unchanged: s.unchanged + r.unchanged,
              errors: [...s.errors, ...r.errors].slice(0, 50),
              next: r.next,
              processed: r.next ?? r.valid,
            }
          : { ...r, processed: r.next ?? r.valid };
        setReport(state.sum);
        if (r.next === null) break;
        state.from = r.next;
      }
      notify(`已导入：新增 ${state.sum?.created ?? 0} 人，更新 ${state.sum?.updated ?? 0} 人`);
    }, 'commit');

  const stopped = !!resume.current && report !== null && !report.dryRun && report.next !== null && !run.busy;
  return (
    <Page className='import' title='批量导入党员'>
      <Text className='page-title'>批量导入党员</Text>
      {notice ? (
        <Text className='notice' id='import-notice'>
          {notice}
        </Text>
      ) : null}
      <View className='card'>
        <Text className='text'>
          支持 .xlsx 或 .csv 文件（含 Excel 另存的 GBK 编码），每份最多 5000 人。按表头识别列，顺序不限。先检查，确认无误后再导入；有问题的行单独列出，其余照常导入。
        </Text>
        <BigButton id='import-template' kind='plain' onClick={() => downloadTemplate(notify)}>
          {process.env.TARO_ENV === 'h5' ? '下载模板' : '复制模板'}
        </BigButton>
        <BigButton id='import-choose' kind={file ? 'default' : 'primary'} busy={run.busyKey === 'check'} disabled={!me.data || run.busyKey === 'commit'} onClick={choose}>
          {file ? '重新选择文件' : '选择文件'}
        </BigButton>
        {file ? (
          <Text className='muted' id='import-file-name'>
            {file.fileName}
          </Text>
        ) : null}
        {run.error ? (
          <Text className='notice error' id='import-error'>
            {run.error.message}
          </Text>
        ) : null}
      </View>
      {report ? <Report r={report} onFileError={notify} /> : null}
      {report && report.dryRun && !report.fatal && report.created + report.updated > 0 && file ? (
        <BigButton id='import-confirm' busy={run.busyKey === 'commit'} disabled={!!run.busy} onClick={commit}>
          确认导入（新增 {report.created} 人，更新 {report.updated} 人）
        </BigButton>
      ) : null}
      {stopped ? (
        <BigButton id='import-resume' busy={run.busyKey === 'commit'} onClick={commit}>
          继续导入
        </BigButton>
      ) : null}
    </Page>
  );
}
