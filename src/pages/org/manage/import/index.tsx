import { Text, View } from '@tarojs/components';
import { ROSTER_TEMPLATE_CSV } from '../../../../../core/org/roster';
import { importDir } from '../../../../../core/sheet/upload-path';
import { orgApi, type RosterFileReport } from '../../../../api/org';
import { toApiError } from '../../../../api/errors';
import { BigButton } from '../../../../components/big-button';
import { Page } from '../../../../components/page';
import { useNotice } from '../../../../hooks/use-notice';
import { useRequest } from '../../../../hooks/use-request';
import { useBatchImport, type Progress as BatchProgress } from '../../../../hooks/use-batch-import';
import { offerTemplate } from '../../../../utils/spreadsheet-file';
import { openReportFile } from '../../../../utils/upload-import';
import '../manage.scss';
import './import.scss';

const downloadTemplate = (notify: (t: string) => void) => offerTemplate(ROSTER_TEMPLATE_CSV, '党员名册模板.csv', notify);

type Progress = BatchProgress<RosterFileReport>;

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
  const { file, report, run, choose, commit, stopped } = useBatchImport<RosterFileReport>({
    dir: me.data ? importDir('roster', me.data.openid) : null,
    inputId: 'import-file-input',
    accept: ['xlsx', 'csv'],
    call: (f, batch) => orgApi.importRosterFile({ fileID: f.fileID, fileName: f.fileName, ...batch }),
    merge: (s, r) => ({
      ...s,
      created: s.created + r.created,
      updated: s.updated + r.updated,
      unchanged: s.unchanged + r.unchanged,
      errors: [...s.errors, ...r.errors].slice(0, 50),
    }),
  });
  const importAll = async () => {
    const sum = await commit();
    if (sum) notify(`已导入：新增 ${sum.created} 人，更新 ${sum.updated} 人`);
  };
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
        <BigButton id='import-choose' kind={file ? 'default' : 'primary'} busy={run.busyKey === 'check'} disabled={!me.data || run.busyKey === 'commit'} onClick={() => void choose()}>
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
        <BigButton id='import-confirm' busy={run.busyKey === 'commit'} disabled={!!run.busy} onClick={importAll}>
          确认导入（新增 {report.created} 人，更新 {report.updated} 人）
        </BigButton>
      ) : null}
      {stopped ? (
        <BigButton id='import-resume' busy={run.busyKey === 'commit'} onClick={importAll}>
          继续导入
        </BigButton>
      ) : null}
    </Page>
  );
}
