import { Text, View } from '@tarojs/components';
import { orgInputs } from '../../../../../core/org/contracts';
import { ROSTER_TEMPLATE_CSV } from '../../../../../core/org/roster';
import { orgApi } from '../../../../api/org';
import { BigButton } from '../../../../components/big-button';
import { Page } from '../../../../components/page';
import { useNotice } from '../../../../hooks/use-notice';
import { useSpreadsheetImport } from '../../../../hooks/use-spreadsheet-import';
import { offerTemplate } from '../../../../utils/spreadsheet-file';
import '../manage.scss';

const downloadTemplate = (notify: (t: string) => void) => offerTemplate(ROSTER_TEMPLATE_CSV, '党员名册模板.csv', notify);

export default function Import() {
  const { notice, notify } = useNotice();
  const roster = useSpreadsheetImport({
    inputId: 'import-file-input',
    schema: orgInputs.importRoster,
    send: (input) => orgApi.importRoster(input),
    onImported: (r) => notify(`已导入：新增 ${r.created} 人，更新 ${r.updated} 人`),
  });
  const { file, report, busyKey: busy } = roster;

  const committed = report && !report.dryRun;
  return (
    <Page className='import' title='批量导入党员'>
      <Text className='page-title'>批量导入党员</Text>
      {notice ? <Text className='notice' id='import-notice'>{notice}</Text> : null}
      <View className='card'>
        <Text className='text'>支持 .xlsx 或 .csv 文件，每份最多 500 人。先检查，确认无误后再导入。</Text>
        <BigButton id='import-template' kind='plain' onClick={() => downloadTemplate(notify)}>
          {process.env.TARO_ENV === 'h5' ? '下载模板' : '复制模板'}
        </BigButton>
        <BigButton id='import-choose' kind={file ? 'default' : 'primary'} busy={busy === 'check'} onClick={roster.choose}>
          {file ? '重新选择文件' : '选择文件'}
        </BigButton>
        {file ? <Text className='muted' id='import-file-name'>{file.fileName}</Text> : null}
        {roster.error ? <Text className='notice error' id='import-error'>{roster.error.message}</Text> : null}
      </View>
      {report ? (
        <View className='card' id='import-report'>
          <Text className='card-title'>{report.dryRun ? '检查结果' : '导入完成'}</Text>
          <Text className='text'>
            共 {report.total} 行：新增 {report.created} 人，更新 {report.updated} 人，无变化 {report.unchanged} 人
          </Text>
          {report.errors.length ? (
            <>
              <Text className='text text-red'>有 {report.errors.length} 行需要修改：</Text>
              {report.errors.slice(0, 50).map((e, i) => (
                <Text key={i} className='report-error'>
                  第 {e.row} 行 {e.field}：{e.message}
                </Text>
              ))}
              {report.errors.length > 50 ? <Text className='muted'>还有 {report.errors.length - 50} 行，请修改后重新检查</Text> : null}
            </>
          ) : (
            <Text className='text text-ok'>没有发现错误。</Text>
          )}
          {report.dryRun && file ? (
            <BigButton
              id='import-confirm'
              busy={busy === 'commit'}
              disabled={!!busy || report.created + report.updated === 0}
              onClick={roster.commit}
            >
              确认导入
            </BigButton>
          ) : null}
          {committed ? <Text className='notice'>名册已更新。</Text> : null}
        </View>
      ) : null}
    </Page>
  );
}
