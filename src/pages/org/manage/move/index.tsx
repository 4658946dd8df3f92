import { useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { orgInputs } from '../../../../../core/org/contracts';
import { orgApi, type MemberView, type OrgNodeView, type TransferView } from '../../../../api/org';
import { BigButton } from '../../../../components/big-button';
import { OrgTree } from '../../../../components/branch-picker';
import { Page } from '../../../../components/page';
import { Async } from '../../../../components/states';
import { useRequest } from '../../../../hooks/use-request';
import { useSubmit } from '../../../../hooks/use-submit';
import { formatDate } from '../../../../utils/invite-code';
import '../manage.scss';

function MemberSearch({ onPick, organiser }: { onPick(m: MemberView): void; organiser: boolean }) {
  const [draft, setDraft] = useState('');
  const [keyword, setKeyword] = useState('');
  // an organiser searches every branch of their subtree by name; a secretary browses their own
  const req = useRequest(
    () =>
      organiser && !keyword
        ? Promise.resolve({ branchId: '', branchName: '', total: 0, members: [] as MemberView[] })
        : orgApi.listMembers({ keyword: keyword || undefined, limit: 20, ...(organiser ? { inSubtree: true } : {}) }),
    [keyword, organiser],
  );
  return (
    <>
      {organiser ? <Text className='muted'>输入姓名，在您管辖的所有党支部中查找。</Text> : null}
      <View className='search'>
        <Input id='move-search' className='field-input' value={draft} maxlength={20} placeholder='按姓名搜索' onInput={(e) => setDraft(e.detail.value)} onConfirm={() => setKeyword(draft.trim())} />
        <BigButton small id='move-search-btn' onClick={() => setKeyword(draft.trim())}>
          搜索
        </BigButton>
      </View>
      <Async req={req} isEmpty={(d) => d.members.length === 0} emptyText={organiser && !keyword ? '请先输入姓名' : '没有找到党员'}>
        {(d) =>
          d.members.map((m) => (
            <View key={m.id} className='list-item move-member' data-id={m.id} onClick={() => onPick(m)}>
              <View>
                <Text className='text'>{m.name}</Text>
                {m.branchName ? <Text className='muted move-member-branch'>{m.branchName}</Text> : null}
              </View>
              <Text className='badge'>选择</Text>
            </View>
          ))
        }
      </Async>
    </>
  );
}

function History({ memberId }: { memberId: string }) {
  const req = useRequest(() => orgApi.memberHistory({ memberId }), [memberId]);
  return (
    <Async req={req} isEmpty={(d) => d.length === 0} emptyText='没有转接记录'>
      {(list) =>
        list.slice(0, 50).map((t) => (
          <View key={t.id} className='item-col'>
            <Text className='text'>
              {t.fromBranchName} → {t.toBranchName}
            </Text>
            <Text className='muted'>
              {formatDate(t.at)} · {t.byName} · {t.reason}
            </Text>
          </View>
        ))
      }
    </Async>
  );
}

export default function Move() {
  const me = useRequest(() => orgApi.me(), []);
  const organiser = me.data?.member?.role === 'organiser';
  const [member, setMember] = useState<MemberView | null>(null);
  const [target, setTarget] = useState<OrgNodeView | null>(null);
  const [reason, setReason] = useState('');
  const moving = useSubmit();
  const [done, setDone] = useState<TransferView | null>(null);

  const submit = async () => {
    if (moving.busy || !member || !target) return;
    const parsed = orgInputs.moveMember.safeParse({ memberId: member.id, toBranchId: target.id, reason });
    if (!parsed.success) return moving.fail(parsed.error.issues[0]?.message ?? '请检查填写内容');
    await moving.send(async () => setDone(await orgApi.moveMember({ memberId: member.id, toBranchId: target.id, reason: reason.trim() })));
  };

  if (done) {
    return (
      <Page className='move' title='流动党员转接'>
        <View className='card' id='move-result'>
          <Text className='page-title'>已转接</Text>
          <Text className='text'>
            {member?.name}：{done.fromBranchName} → {done.toBranchName}
          </Text>
          <BigButton
            onClick={() => {
              setDone(null);
              setMember(null);
              setTarget(null);
              setReason('');
            }}
          >
            继续转接
          </BigButton>
        </View>
      </Page>
    );
  }

  return (
    <Page className='move' title='流动党员转接'>
      <Text className='page-title'>流动党员转接</Text>
      <View className='card'>
        <Text className='card-title'>第一步：选择党员</Text>
        {member ? (
          <View className='row'>
            <Text className='text' id='move-member-name'>
              {member.name}（{member.branchName || '本支部'}）
            </Text>
            <Text className='link' onClick={() => setMember(null)}>
              重新选择
            </Text>
          </View>
        ) : (
          me.data || me.error ? <MemberSearch onPick={setMember} organiser={organiser} /> : null
        )}
        {member ? (
          <>
            <Text className='field-label'>转接记录</Text>
            <History memberId={member.id} />
          </>
        ) : null}
      </View>
      {member ? (
        <View className='card'>
          <Text className='card-title'>第二步：转入哪个党支部</Text>
          {target ? (
            <View className='row'>
              <Text className='text' id='move-target-name'>{target.name}</Text>
              <Text className='link' onClick={() => setTarget(null)}>
                重新选择
              </Text>
            </View>
          ) : (
            <OrgTree root={null} nodeClass='org-node' onPick={setTarget} />
          )}
        </View>
      ) : null}
      {member && target ? (
        <View className='card'>
          <Text className='card-title'>第三步：转接原因</Text>
          <Input id='move-reason' className='field-input' value={reason} maxlength={200} placeholder='例如：外出务工，转入居住地支部' onInput={(e) => setReason(e.detail.value)} />
          {moving.error ? <Text className='notice error' id='move-error'>{moving.error.message}</Text> : null}
          <BigButton id='move-submit' busy={moving.busy} onClick={submit}>
            确认转接
          </BigButton>
        </View>
      ) : null}
    </Page>
  );
}
