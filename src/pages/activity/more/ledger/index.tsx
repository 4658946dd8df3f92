import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Picker, Text, View } from '@tarojs/components';
import { activityApi, type ActivityOutputs } from '../../../../api/activity';
import { BigButton } from '../../../../components/big-button';
import { BranchPicker, useBranchChoice } from '../../../../components/branch-picker';
import { Page } from '../../../../components/page';
import { Async } from '../../../../components/states';
import { useRequest } from '../../../../hooks/use-request';
import { useSubmit } from '../../../../hooks/use-submit';
import { dayOf } from '../../../../../core/day';
import { openCloudXlsx } from '../../../../platform/files';
import '../../activity.scss';

type Export = ActivityOutputs['exportLedger'];

/**
 * Opens the exported workbook: a browser download on H5; on WeChat the file by its fileID through
 * wx.cloud.downloadFile, then the document viewer with its forward menu (src/platform/files.ts).
 */
async function openFile(out: Export) {
  if (process.env.TARO_ENV === 'h5') {
    if (typeof window !== 'undefined') window.open(out.url, '_blank');
    return;
  }
  await openCloudXlsx(Taro, out.fileID);
}

export default function LedgerPage() {
  const today = dayOf(new Date());
  const [from, setFrom] = useState(`${today.slice(0, 4)}-01-01`);
  const [to, setTo] = useState(today);
  const [out, setOut] = useState<Export | null>(null);
  const exporting = useSubmit();
  const opening = useSubmit();
  // an organiser picks one branch of their subtree; a secretary's is their own
  const branch = useBranchChoice();
  const rates = useRequest(() => activityApi.rates({ from, to, branchId: branch.branchId }), [from, to, branch.branchId], { skip: !branch.ready });

  const exportNow = () =>
    exporting.send(async () => {
      const r = await activityApi.exportLedger({ from, to, branchId: branch.branchId });
      setOut(r);
      // the file exists now: a failure to open it is shown under it, with 打开 to try again
      await opening.send(() => openFile(r));
    });

  return (
    <Page className='activity-ledger' title='组织生活台账'>
      <Text className='page-title'>组织生活台账</Text>
      <BranchPicker choice={branch} id='ledger-branch' />
      {branch.ready ? (
      <View className='card'>
        <View className='two-col'>
          <View className='field'>
            <Text className='field-label'>从</Text>
            <Picker mode='date' value={from} onChange={(e) => setFrom(String(e.detail.value))}>
              <View className='picker-value' id='ledger-from'>{from}</View>
            </Picker>
          </View>
          <View className='field'>
            <Text className='field-label'>到</Text>
            <Picker mode='date' value={to} onChange={(e) => setTo(String(e.detail.value))}>
              <View className='picker-value' id='ledger-to'>{to}</View>
            </Picker>
          </View>
        </View>
        <Text className='muted'>导出的 Excel 含“三会一课记录”（会议类型、时间、地点、主持人、应到、实到、请假、缺席、补学、内容摘要）、“出勤明细”和“出勤率”三张表。</Text>
        {exporting.error ? <Text className='notice error'>{exporting.error.message}</Text> : null}
        <BigButton id='ledger-export' busy={exporting.busy} onClick={exportNow}>
          导出台账（Excel）
        </BigButton>
        {out ? (
          <View id='ledger-result'>
            <Text className='text'>
              已生成：{out.fileName}（{out.activities} 次活动，{Math.ceil(out.bytes / 1024)} KB）
            </Text>
            <Text className='link' id='ledger-download' onClick={() => void opening.send(() => openFile(out))}>
              打开 / 下载
            </Text>
            {opening.error ? <Text className='notice error' id='ledger-open-error'>{opening.error.message}</Text> : null}
          </View>
        ) : null}
      </View>
      ) : null}
      {branch.ready ? (
      <View className='card' id='ledger-rates'>
        <Text className='card-title'>出勤率</Text>
        <Async req={rates}>
          {(r) => (
            <>
              <Text className='text'>
                {r.activities} 次活动 · 出勤率 {r.rate.attendance}% · 含补学 {r.rate.withMakeUp}%
              </Text>
              {(r.members ?? []).map((m) => (
                <View key={m.memberId} className='list-item'>
                  <Text className='text'>{m.name}</Text>
                  <Text className={`badge ${m.rate < 60 ? 'red' : m.rate < 90 ? 'gold' : ''}`}>
                    {m.present}/{m.expected} · {m.rate}%
                  </Text>
                </View>
              ))}
            </>
          )}
        </Async>
      </View>
      ) : null}
    </Page>
  );
}
