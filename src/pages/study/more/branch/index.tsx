import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { studyApi, type BranchTable } from '../../../../api/study';
import { BigButton } from '../../../../components/big-button';
import { BranchPicker, useBranchChoice } from '../../../../components/branch-picker';
import { Chart } from '../../../../components/chart';
import { Page } from '../../../../components/page';
import { Async, goTo } from '../../../../components/states';
import { useNotice } from '../../../../hooks/use-notice';
import { useRequest } from '../../../../hooks/use-request';
import { useSubmit } from '../../../../hooks/use-submit';
import '../more.scss';

const ROLE: Record<string, string> = { member: '党员', secretary: '支部书记', organiser: '组织管理员' };

/** Saves the .xlsx: a download on H5, a file opened with the system viewer on WeChat. */
async function saveXlsx(fileName: string, base64: string) {
  if (process.env.TARO_ENV === 'h5') {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return;
  }
  const filePath = `${Taro.env.USER_DATA_PATH}/${fileName}`;
  Taro.getFileSystemManager().writeFileSync(filePath, base64, 'base64');
  await Taro.openDocument({ filePath, fileType: 'xlsx', showMenu: true });
}

/**
 * 学时完成 against the year's target: 达标人数 of all members, and the branch's hours counted up to
 * each member's own target (hours beyond one member's target do not cover another's gap).
 */
function Completion({ t }: { t: BranchTable }) {
  const owed = t.rows.reduce((s, r) => s + r.targetHours, 0);
  const done = Math.round(t.rows.reduce((s, r) => s + Math.min(r.hours, r.targetHours), 0) * 10) / 10;
  const share = owed > 0 ? Math.round((done / owed) * 100) : 0;
  return (
    <Chart
      id='study-completion'
      kind='progress'
      title={`${t.year} 年学时完成情况`}
      summary={`已达标 ${t.met}/${t.total} 人；全支部学时完成 ${share}%（${done}/${owed} 学时）`}
      points={[
        { label: '达标人数', value: t.met, target: t.total, unit: '人' },
        { label: '学时', value: done, target: owed, unit: '学时' },
      ]}
    />
  );
}

function Table({ t, secretary }: { t: BranchTable; secretary: boolean }) {
  const { notice, notify } = useNotice();
  const action = useSubmit<void, 'remind' | 'export'>({ onError: (e) => notify(e.message) });
  const behind = t.rows.filter((r) => r.behind > 0).length;
  const remind = () =>
    action.send(async () => {
      const r = await studyApi.remindBehind({ year: t.year });
      notify(`已提醒 ${r.sent} 人${r.skipped ? `，${r.skipped} 人未登录小程序无法提醒` : ''}`);
    }, 'remind');
  const exportIt = () =>
    action.send(async () => {
      const x = await studyApi.exportLedger({ branchId: t.branchId, year: t.year });
      await saveXlsx(x.fileName, x.base64);
      notify('台账已导出');
    }, 'export');
  return (
    <>
      {notice ? <Text className='notice'>{notice}</Text> : null}
      <View className='card' id='branch-summary'>
        <Text className='card-title'>
          {t.branchName} · {t.year} 年
        </Text>
        <Text className='text'>
          已达标 {t.met} / {t.total} 人，未达标 <Text className='behind'>{behind}</Text> 人
        </Text>
        {secretary ? (
          <>
            <BigButton id='branch-remind' busy={action.busyKey === 'remind'} disabled={behind === 0} onClick={remind}>
              提醒未达标的党员
            </BigButton>
            <BigButton id='branch-offline' kind='default' onClick={() => goTo('/pages/study/more/offline/index')}>
              记录线下学习（集中培训、送学上门）
            </BigButton>
          </>
        ) : null}
        <BigButton id='branch-export' kind='default' busy={action.busyKey === 'export'} onClick={exportIt}>
          导出学时台账（Excel）
        </BigButton>
      </View>
      <Completion t={t} />
      <View className='card' id='branch-table'>
        <Text className='card-title'>按差距排序（差得最多的在前）</Text>
        {t.rows.map((r) => (
          <View key={r.memberId} className='list-item branch-row' data-id={r.memberId}>
            <View className='item-main'>
              <Text className='text row-name'>
                {r.name}
                {r.role !== 'member' ? <Text className='badge'>{ROLE[r.role] ?? r.role}</Text> : null}
                {(r.age ?? 0) >= 60 ? <Text className='badge gold'>60+</Text> : null}
              </Text>
              <Text className='muted'>
                在线 {r.bySource.online} · 直播 {r.bySource.live} · 活动 {r.bySource.activity} · 线下 {r.bySource.offline}
              </Text>
            </View>
            <View>
              <Text className='text'>
                {r.hours} / {r.targetHours}
              </Text>
              {r.behind > 0 ? <Text className='muted behind'>差 {r.behind}</Text> : <Text className='muted text-ok'>已达标</Text>}
            </View>
          </View>
        ))}
      </View>
    </>
  );
}

/** 上级管理员: every branch of the subtree on its 达标率 (members who met the target ÷ members), lowest first. */
function OrgRates() {
  const req = useRequest(() => studyApi.orgRates({}), []);
  return (
    <Async req={req} isEmpty={(d) => d.rows.length === 0} emptyText='所辖组织下还没有党支部'>
      {(d) => {
        const low = d.rows.reduce((a, b) => (b.rate < a.rate ? b : a));
        return (
          <Chart
            id='study-branches'
            kind='bar'
            title={`各支部 ${d.year} 年学时达标率（低的在前）`}
            unit='%'
            max={100}
            summary={`${d.rows.length} 个支部，达标率最低的是 ${low.branchName}（${Math.round(low.rate * 100)}%，人均 ${low.avgHours} 学时）`}
            points={d.rows.map((r) => ({ label: r.branchName, value: Math.round(r.rate * 100) }))}
          />
        );
      }}
    </Async>
  );
}

function BranchView({ branchId, secretary }: { branchId?: string; secretary: boolean }) {
  const req = useRequest(() => studyApi.branchTable({ branchId }), [branchId], { refreshOnShow: true });
  return <Async req={req}>{(t) => <Table t={t} secretary={secretary} />}</Async>;
}

export default function BranchStudy() {
  // an organiser compares the branches of their subtree and picks one; a secretary's is their own
  const choice = useBranchChoice();
  return (
    <Page className='study-more' title='支部学时统计'>
      <Text className='page-title'>支部学时统计</Text>
      {choice.scope ? <OrgRates /> : null}
      <BranchPicker choice={choice} id='study-branch-picker' />
      <Async req={choice.me}>
        {(d) => (choice.ready ? <BranchView branchId={choice.branchId} secretary={d.member?.role === 'secretary'} /> : null)}
      </Async>
    </Page>
  );
}
