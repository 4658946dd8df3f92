import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Picker, Text, View } from '@tarojs/components';
import { activityApi, type ActivityOutputs } from '../../../../api/activity';
import { BigButton } from '../../../../components/big-button';
import { BranchPicker, useBranchChoice } from '../../../../components/branch-picker';
import { Chart } from '../../../../components/chart';
import { Page } from '../../../../components/page';
import { Async } from '../../../../components/states';
import { useRequest } from '../../../../hooks/use-request';
import { useSubmit } from '../../../../hooks/use-submit';
import { dayOf } from '../../../../../core/day';
import { openCloudXlsx } from '../../../../platform/files';
import '../../activity.scss';

type Export = ActivityOutputs['exportLedger'];

/** 上级管理员: the branches of the subtree side by side on 出勤率 for the same period, lowest first. */
function BranchRatesChart({ from, to }: { from: string; to: string }) {
  const req = useRequest(() => activityApi.branchRates({ from, to }), [from, to]);
  return (
    <Async req={req} isEmpty={(d) => d.rows.length === 0} emptyText='所辖组织下还没有党支部'>
      {(d) => {
        const held = d.rows.filter((r) => r.activities > 0);
        const low = held[0];
        return (
          <Chart
            id='ledger-branches'
            kind='bar'
            title={`${d.scopeName} 各支部出勤率（${from} 至 ${to}）`}
            unit='%'
            max={100}
            summary={
              low
                ? `${held.length}/${d.rows.length} 个支部有已结束的活动，出勤率最低的是 ${low.name}（${low.present}/${low.expected} 人次，${low.rate}%）`
                : `${d.rows.length} 个支部这段时间都还没有已结束的活动`
            }
            // a branch with no finished activity has no rate: it is left out, not drawn as 0%
            points={held.map((r) => ({ label: r.name, value: r.rate }))}
          />
        );
      }}
    </Async>
  );
}

/** 出勤率 of each activity of the period (实到 ÷ 应到 of this branch), in time order. */
function PerActivityChart({ r }: { r: ActivityOutputs['rates'] }) {
  const list = r.perActivity ?? [];
  const low = list.length ? list.reduce((a, b) => (b.rate < a.rate ? b : a)) : null;
  return (
    <Chart
      id='ledger-chart'
      kind='bar'
      title='每次活动的出勤率'
      unit='%'
      max={100}
      summary={low ? `${list.length} 次活动，出勤率最低的是 ${dayOf(new Date(low.startAt)).slice(5)} ${low.title}（${low.present}/${low.expected} 人，${low.rate}%）` : '这段时间还没有结束的活动'}
      points={list.map((a) => ({ label: `${dayOf(new Date(a.startAt)).slice(5)} ${a.title.slice(0, 8)}`, value: a.rate }))}
    />
  );
}

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
      {branch.scope ? <BranchRatesChart from={from} to={to} /> : null}
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
      {branch.ready && rates.data ? <PerActivityChart r={rates.data} /> : null}
    </Page>
  );
}
