import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { orgInputs } from '../../../../../core/org/contracts';
import { ROSTER_TEMPLATE_CSV } from '../../../../../core/org/roster';
import { toApiError } from '../../../../api';
import { orgApi, type ImportReport } from '../../../../api/org';
import { BigButton } from '../../../../components/big-button';
import { Page } from '../../../../components/page';
import { useNotice } from '../../../../hooks/use-notice';
import '../manage.scss';


interface Picked {
  fileName: string;
  contentBase64: string;
}

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...Array.from(bytes.subarray(i, i + 0x8000)));
  return btoa(bin);
}

/** H5: a throw-away <input type="file">; resolves null when the person cancels. */
function pickFileH5(): Promise<Picked | null> {
  return new Promise((resolve, reject) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.xlsx,.csv';
    input.id = 'import-file-input';
    input.style.display = 'none';
    input.onchange = () => {
      const file = input.files?.[0];
      input.remove();
      if (!file) return resolve(null);
      file.arrayBuffer().then((buf) => resolve({ fileName: file.name, contentBase64: toBase64(new Uint8Array(buf)) }), reject);
    };
    document.body.appendChild(input);
    input.click();
  });
}

/** WeChat: files come from a chat (chooseMessageFile), read as base64 from the temp path. */
async function pickFileWeapp(): Promise<Picked | null> {
  let res: Taro.chooseMessageFile.SuccessCallbackResult;
  try {
    res = await Taro.chooseMessageFile({ count: 1, type: 'file', extension: ['xlsx', 'csv'] });
  } catch {
    return null;
  }
  const f = res.tempFiles[0];
  if (!f) return null;
  const contentBase64 = await new Promise<string>((resolve, reject) =>
    Taro.getFileSystemManager().readFile({
      filePath: f.path,
      encoding: 'base64',
      success: (r) => resolve(r.data as string),
      fail: (e) => reject(new Error(e.errMsg)),
    }),
  );
  return { fileName: f.name, contentBase64 };
}

function downloadTemplate(notify: (t: string) => void) {
  if (process.env.TARO_ENV === 'h5') {
    // the template is the one the import reads (core/org/roster), BOM included for Excel
    const blob = new Blob([ROSTER_TEMPLATE_CSV], { type: 'text/csv;charset=utf-8' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = '党员名册模板.csv';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    return;
  }
  Taro.setClipboardData({ data: ROSTER_TEMPLATE_CSV.replace(/^\uFEFF/, '') }).then(() => notify('模板已复制，可粘贴到电脑上保存为 .csv 文件'));
}

export default function Import() {
  const [file, setFile] = useState<Picked | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [busy, setBusy] = useState<'check' | 'commit' | null>(null);
  const [error, setError] = useState('');
  const { notice, notify } = useNotice();

  const run = async (picked: Picked, dryRun: boolean) => {
    const input = { ...picked, dryRun };
    const parsed = orgInputs.importRoster.safeParse(input);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? '文件不对');
      return;
    }
    setBusy(dryRun ? 'check' : 'commit');
    setError('');
    try {
      const r = await orgApi.importRoster(input);
      setReport(r);
      if (!dryRun) notify(`已导入：新增 ${r.created} 人，更新 ${r.updated} 人`);
    } catch (err) {
      setError(toApiError(err).message);
    } finally {
      setBusy(null);
    }
  };

  const choose = async () => {
    if (busy) return;
    try {
      const picked = process.env.TARO_ENV === 'h5' ? await pickFileH5() : await pickFileWeapp();
      if (!picked) return;
      setFile(picked);
      setReport(null);
      await run(picked, true);
    } catch (err) {
      setError(toApiError(err).message === '网络不太好，请稍后重试' ? '读取文件失败，请重新选择' : toApiError(err).message);
    }
  };

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
        <BigButton id='import-choose' kind={file ? 'default' : 'primary'} busy={busy === 'check'} onClick={choose}>
          {file ? '重新选择文件' : '选择文件'}
        </BigButton>
        {file ? <Text className='muted' id='import-file-name'>{file.fileName}</Text> : null}
        {error ? <Text className='notice error' id='import-error'>{error}</Text> : null}
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
              onClick={() => run(file, false)}
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
