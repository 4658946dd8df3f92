import { useMemo, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Input, Picker, Text, Textarea, View } from '@tarojs/components';
import { activityApi, type ActivityOutputs } from '../../../../api/activity';
import { BigButton } from '../../../../components/big-button';
import { Chart } from '../../../../components/chart';
import { Page } from '../../../../components/page';
import { Async, goTo } from '../../../../components/states';
import { useRequest } from '../../../../hooks/use-request';
import { useSubmit } from '../../../../hooks/use-submit';
import { CadenceCard } from '../../components/cadence-card';
import { CADENCE_KINDS, CADENCE_UNIT, monthOf, type CadenceKind } from '../../../../../core/activity/cadence';
import { ACTIVITY_TYPES } from '../../../../../core/activity/rules';
import { dayOf } from '../../../../../core/day';
import { openCloudXlsx } from '../../../../platform/files';
import '../../activity.scss';
import '../../components/minutes.scss';

type Overview = ActivityOutputs['cadenceOverview'];
type Row = Overview['rows'][number];
type Sort = 'status' | 'rate' | 'name';
type Unit = 'month' | 'quarter';

const STATUS_TEXT = { on_track: '正常', due_soon: '即将到期', missed: '未按期召开' } as const;
const STATUS_CLS = { on_track: '', due_soon: 'gold', missed: 'red' } as const;
const RANK = { missed: 0, due_soon: 1, on_track: 2 } as const;
const rate = (p: Row['month']) => (p.owed ? p.held / p.owed : 1);

function sorted(rows: Row[], unit: Unit, sort: Sort): Row[] {
  const by: Record<Sort, (a: Row, b: Row) => number> = {
    status: (a, b) => RANK[a[unit].status] - RANK[b[unit].status] || rate(a[unit]) - rate(b[unit]),
    rate: (a, b) => rate(a[unit]) - rate(b[unit]),
    name: (a, b) => a.branchName.localeCompare(b.branchName, 'zh'),
  };
  return [...rows].sort((a, b) => by[sort](a, b) || a.branchName.localeCompare(b.branchName, 'zh'));
}

/** One branch's month and quarter (the secretary's card, read-only for the organiser). */
function Drill({ branchId, month }: { branchId: string; month: string }) {
  const req = useRequest(() => activityApi.cadence({ branchId, month }), [branchId, month]);
  return (
    <Async req={req}>
      {(d) => (
        <>
          <Text className='page-title' id='cadence-branch-name'>{d.branchName}</Text>
          <CadenceCard d={{ ...d, subscribed: true }} reload={req.reload} />
        </>
      )}
    </Async>
  );
}

function Settings({ o, reload }: { o: Overview; reload: () => void }) {
  const [mins, setMins] = useState<Record<CadenceKind, string>>(() => Object.fromEntries(CADENCE_KINDS.map((k) => [k, String(o.minimums[k])])) as Record<CadenceKind, string>);
  const [items, setItems] = useState('重温入党誓词\n集中学习\n交流研讨\n志愿服务\n缴纳党费\n民主评议\n过政治生日');
  const [theme, setTheme] = useState('');
  const save = useSubmit();
  const saveList = useSubmit();
  const [done, setDone] = useState('');
  return (
    <View className='card' id='cadence-settings'>
      <Text className='card-title'>{o.nodeName} 的要求</Text>
      <Text className='muted'>下级可以提高要求，不能低于上级要求。</Text>
      {CADENCE_KINDS.map((k) => (
        <View key={k} className='kv'>
          <Text className='kv-k'>{ACTIVITY_TYPES[k]}</Text>
          <Input className='field-input' id={`cadence-min-${k}`} type='number' value={mins[k]} onInput={(e) => setMins({ ...mins, [k]: e.detail.value })} />
          <Text className='muted'>次/{CADENCE_UNIT[k] === 'month' ? '月' : '季度'}</Text>
        </View>
      ))}
      {save.error ? <Text className='notice error'>{save.error.message}</Text> : null}
      <BigButton
        small
        id='cadence-save'
        busy={save.busy}
        onClick={() =>
          save.send(async () => {
            await activityApi.setCadence({ nodeId: o.nodeId, minimums: Object.fromEntries(CADENCE_KINDS.map((k) => [k, Number(mins[k])])) });
            setDone('要求已保存');
            reload();
          })
        }
      >
        保存要求
      </BigButton>
      <Text className='field-label'>主题党日“7+1”议程（每行一项）</Text>
      <Textarea className='textarea' id='checklist-items' value={items} onInput={(e) => setItems(e.detail.value)} />
      <Text className='field-label'>{Number(o.month.slice(5))}月主题（“+1”）</Text>
      <Input className='field-input' id='checklist-theme' value={theme} placeholder='例如：文明城市创建' onInput={(e) => setTheme(e.detail.value)} />
      {saveList.error ? <Text className='notice error'>{saveList.error.message}</Text> : null}
      <BigButton
        small
        kind='default'
        id='checklist-save'
        busy={saveList.busy}
        onClick={() =>
          saveList.send(async () => {
            const list = items.split('\n').map((s) => s.trim()).filter(Boolean);
            await activityApi.setChecklist({ nodeId: o.nodeId, items: list, themes: theme.trim() ? { [o.month]: theme.trim() } : {} });
            setDone('“7+1”议程已保存，之后的主题党日按新议程');
          })
        }
      >
        保存议程
      </BigButton>
      {done ? <Text className='notice' id='cadence-settings-done'>{done}</Text> : null}
    </View>
  );
}

function Overview({ o, reload }: { o: Overview; reload: () => void }) {
  const [unit, setUnit] = useState<Unit>('month');
  const [sort, setSort] = useState<Sort>('status');
  const rows = useMemo(() => sorted(o.rows, unit, sort), [o.rows, unit, sort]);
  const t = o.totals[unit];
  const exporting = useSubmit();
  const period = unit === 'month' ? `${Number(o.month.slice(5))}月` : `第${o.quarter.slice(-1)}季度`;
  const exportYear = () =>
    exporting.send(async () => {
      const to = dayOf(new Date());
      const r = await activityApi.exportSubtreeLedger({ nodeId: o.nodeId, from: `${Number(to.slice(0, 4)) - 1}${to.slice(4)}`, to });
      if (process.env.TARO_ENV === 'h5') window.open(r.url, '_blank');
      else await openCloudXlsx(Taro, r.fileID);
    });
  return (
    <>
      <View className='card' id='cadence-totals'>
        <Text className='card-title'>{o.nodeName} · {period}</Text>
        <Text className='text' id='cadence-summary'>
          {o.rows.length} 个支部：正常 {t.on_track}，即将到期 {t.due_soon}，未按期召开 {t.missed}
        </Text>
        <View className='cadence-sort'>
          <Text className={`link ${unit === 'month' ? 'chip-on' : ''}`} id='cadence-unit-month' onClick={() => setUnit('month')}>本月</Text>
          <Text className={`link ${unit === 'quarter' ? 'chip-on' : ''}`} id='cadence-unit-quarter' onClick={() => setUnit('quarter')}>本季度</Text>
          <Text className='muted'>排序：</Text>
          {(['status', 'rate', 'name'] as Sort[]).map((s) => (
            <Text key={s} className={`link ${sort === s ? 'chip-on' : ''}`} id={`cadence-sort-${s}`} onClick={() => setSort(s)}>
              {{ status: '按状态', rate: '按完成率', name: '按名称' }[s]}
            </Text>
          ))}
        </View>
      </View>
      <Chart
        id='cadence-chart'
        kind='progress'
        title={`各支部${period}三会一课完成情况`}
        unit='次'
        summary={`${o.rows.length} 个支部中 ${o.rows.filter((r) => r[unit].held >= r[unit].owed).length} 个已开齐，${t.missed} 个未按期召开`}
        points={rows.map((r) => ({ label: r.branchName, value: r[unit].held, target: r[unit].owed }))}
      />
      <View className='card' id='cadence-rows'>
        {rows.map((r) => (
          <View key={r.branchId} className='cadence-row' data-id={r.branchId} onClick={() => goTo(`/pages/activity/more/cadence/index?branchId=${r.branchId}&month=${o.month}`)}>
            <View className='notice-head'>
              <Text className='notice-title'>{r.branchName}</Text>
              <Text className={`badge ${STATUS_CLS[r[unit].status]}`}>{r[unit].held >= r[unit].owed ? '已开齐' : STATUS_TEXT[r[unit].status]}</Text>
            </View>
            <Text className='notice-meta'>
              {r.parentName ? `${r.parentName} · ` : ''}已开 {r[unit].held} / 应开 {r[unit].owed}
              {r[unit].dueKinds.length ? ` · 未开：${r[unit].dueKinds.join('、')}` : ''}
              {r.noGroups ? ' · 未设党小组' : ''}
            </Text>
          </View>
        ))}
      </View>
      <View className='card'>
        <Text className='muted'>导出近一年所辖全部支部的台账（会议记录、照片链接、出勤汇总、三会一课落实情况），一个 Excel 文件。</Text>
        {exporting.error ? <Text className='notice error'>{exporting.error.message}</Text> : null}
        <BigButton id='cadence-export' busy={exporting.busy} onClick={exportYear}>
          导出所辖台账（近一年）
        </BigButton>
      </View>
      <Settings o={o} reload={reload} />
    </>
  );
}

/**
 * 上级管理员: every branch of the subtree for the month and the quarter — on track, due soon, missed —
 * sortable, with a drill-down to one branch (`?branchId=`), the subtree's chart, the export, and the
 * cadence and 7+1 settings of the organiser's level.
 */
export default function CadencePage() {
  const { params } = useRouter();
  const [month, setMonth] = useState(params.month ?? monthOf(new Date()));
  const req = useRequest(() => activityApi.cadenceOverview({ month }), [month], { skip: !!params.branchId });
  return (
    <Page className='activity-cadence' title='三会一课落实情况'>
      <Text className='page-title'>三会一课落实情况</Text>
      <View className='field'>
        <Text className='field-label'>月份</Text>
        <Picker mode='date' fields='month' value={month} onChange={(e) => setMonth(String(e.detail.value).slice(0, 7))}>
          <View className='picker-value' id='cadence-month-pick'>{month}</View>
        </Picker>
      </View>
      {params.branchId ? <Drill branchId={params.branchId} month={month} /> : <Async req={req}>{(o) => <Overview o={o} reload={req.reload} />}</Async>}
    </Page>
  );
}
