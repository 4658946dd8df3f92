import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Switch, Text, View } from '@tarojs/components';
import { orgApi, type OrgOutputs } from '../../api/org';
import { BigButton } from '../../components/big-button';
import { Page } from '../../components/page';
import { Async, goTo } from '../../components/states';
import { useElder } from '../../elder/context';
import { useRequest } from '../../hooks/use-request';
import { ROLE_LABEL } from '../../utils/invite-code';
import './index.scss';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'elder-badge': { active?: boolean; label?: string; onChange?: (e: { detail: { active: boolean } }) => void; id?: string };
    }
  }
}

function ElderBadge({ active, onToggle }: { active: boolean; onToggle(next: boolean): void }) {
  if (process.env.TARO_ENV === 'weapp') {
    return <elder-badge id='mine-elder-badge' active={active} label='关怀模式' onChange={(e) => onToggle(!!e.detail.active)} />;
  }
  return (
    <View id='mine-elder-badge' className={`elder-badge ${active ? 'elder-badge--on' : ''}`} onClick={() => onToggle(!active)}>
      <Text className='elder-badge__label'>关怀模式</Text>
      <Text className='elder-badge__state'>{active ? '已开启' : '未开启'}</Text>
    </View>
  );
}

// Each link shows only to the roles whose pages accept them, so nobody taps into 权限不足.
const S = ['secretary'] as const;
const O = ['organiser'] as const;
const SO = ['secretary', 'organiser'] as const;
const MANAGE_LINKS: { id: string; text: string; url: string; roles: readonly string[] }[] = [
  { id: 'mine-manage-applications', text: '入支部申请审核', url: '/pages/org/manage/applications/index', roles: S },
  { id: 'mine-manage-invite', text: '邀请党员加入', url: '/pages/org/manage/invite/index', roles: S },
  { id: 'mine-manage-members', text: '支部党员名册', url: '/pages/org/manage/members/index', roles: SO },
  { id: 'mine-manage-import', text: '批量导入党员', url: '/pages/org/manage/import/index', roles: S },
  { id: 'mine-manage-move', text: '流动党员转接', url: '/pages/org/manage/move/index', roles: SO },
  { id: 'mine-activity-new', text: '发布组织生活通知', url: '/pages/activity/more/edit/index', roles: S },
  { id: 'mine-activity-ledger', text: '组织生活台账与出勤率', url: '/pages/activity/more/ledger/index', roles: SO },
  { id: 'mine-study-branch', text: '支部学时统计', url: '/pages/study/more/branch/index', roles: SO },
  { id: 'mine-study-publish', text: '发布课程', url: '/pages/study/more/publish/index', roles: SO },
  { id: 'mine-study-offline', text: '线下学习记录（送学上门）', url: '/pages/study/more/offline/index', roles: S },
  { id: 'mine-quiz-branch', text: '支部答题情况（未答题名单）', url: '/pages/quiz/more/branch/index', roles: SO },
  { id: 'mine-quiz-bank', text: '题库管理', url: '/pages/quiz/more/bank/index', roles: O },
];

function Profile({ me }: { me: OrgOutputs['me'] }) {
  const m = me.member;
  if (!m) {
    return (
      <View className='card profile'>
        <Text className='card-title'>您还没有加入党支部</Text>
        <BigButton id='mine-join' onClick={() => goTo('/pages/org/join/index')}>
          加入党支部
        </BigButton>
      </View>
    );
  }
  const manages = m.role === 'secretary' || m.role === 'organiser';
  return (
    <>
      <View className='card profile' id='mine-profile'>
        <View className='row'>
          <Text className='profile-name'>{m.name}</Text>
          <Text className='badge role-badge'>{ROLE_LABEL[m.role] ?? m.role}</Text>
        </View>
        <Text className='text profile-path'>{me.pathNames.join(' / ') || m.branchName || ''}</Text>
        <Text className='muted profile-phone'>手机号 {m.phone}</Text>
      </View>
      {manages ? (
        <View className='card manage' id='mine-manage'>
          <Text className='card-title'>支部管理</Text>
          {MANAGE_LINKS.filter((l) => l.roles.includes(m.role)).map((l) => (
            <View key={l.id} id={l.id} className='list-item manage-link' onClick={() => goTo(l.url)}>
              <Text className='text'>{l.text}</Text>
              <Text className='text muted'>›</Text>
            </View>
          ))}
        </View>
      ) : null}
    </>
  );
}

function signOut(setBusy: (b: boolean) => void) {
  setBusy(true);
  fetch('/api/dev/signout', { method: 'POST', credentials: 'include' })
    .catch(() => undefined)
    .then(() => {
      window.location.href = '/dev';
    });
}

export default function Mine() {
  const me = useRequest(() => orgApi.me(), [], { refreshOnShow: true });
  const elder = useElder();
  const [busy, setBusy] = useState(false);
  const toggle = (on: boolean) => {
    elder.setElder(on);
    if (!on && process.env.TARO_ENV === 'weapp') Taro.showToast({ title: '已关闭关怀模式', icon: 'none' });
  };
  return (
    <Page className='mine' title='我的'>
      <Async req={me}>{(data) => <Profile me={data} />}</Async>
      <View className='card elder-card'>
        <ElderBadge active={elder.on} onToggle={toggle} />
        <View className='row elder-row' onClick={() => toggle(!elder.on)}>
          <Text className='text elder-row-label'>关怀模式（大字体）</Text>
          <Switch
            id='elder-switch'
            className='elder-switch'
            checked={elder.on}
            color='#C8161D'
            onChange={(e) => toggle(!!e.detail.value)}
            onClick={(e) => e.stopPropagation()}
          />
        </View>
        <Text className='muted'>开启后文字和按钮更大，操作时不再弹出对话框。</Text>
      </View>
      {process.env.TARO_ENV === 'h5' ? (
        <BigButton id='mine-signout' kind='default' busy={busy} onClick={() => signOut(setBusy)}>
          退出登录（开发环境）
        </BigButton>
      ) : null}
    </Page>
  );
}
