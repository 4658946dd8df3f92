import { useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { orgApi } from '../../../../api/org';
import { BigButton } from '../../../../components/big-button';
import { BranchPicker, useBranchChoice } from '../../../../components/branch-picker';
import { Page } from '../../../../components/page';
import { Async } from '../../../../components/states';
import { useRequest } from '../../../../hooks/use-request';
import { ROLE_LABEL } from '../../../../utils/invite-code';
import '../manage.scss';

const PAGE_SIZE = 20;

function Roster({ branchId }: { branchId?: string }) {
  const [draft, setDraft] = useState('');
  const [keyword, setKeyword] = useState('');
  const [offset, setOffset] = useState(0);
  const req = useRequest(
    () => orgApi.listMembers({ branchId, keyword: keyword || undefined, offset, limit: PAGE_SIZE }),
    [branchId, keyword, offset],
  );
  const search = () => {
    setOffset(0);
    setKeyword(draft.trim());
  };
  return (
    <>
      <View className='search'>
        <Input id='members-search' className='field-input' value={draft} maxlength={20} placeholder='按姓名搜索' onInput={(e) => setDraft(e.detail.value)} onConfirm={search} />
        <BigButton small id='members-search-btn' onClick={search}>
          搜索
        </BigButton>
      </View>
      <View className='card' id='members-list'>
        <Async req={req} isEmpty={(d) => d.members.length === 0} emptyText={keyword ? '没有找到这个名字' : '名册里还没有党员'}>
          {(d) => (
            <>
              <Text className='card-title'>
                {d.branchName} · 共 {d.total} 人
              </Text>
              {d.members.map((m) => (
                <View key={m.id} className='list-item member-item' data-id={m.id}>
                  <View className='item-main'>
                    <View>
                      <Text className='text member-name'>{m.name}</Text>
                    </View>
                    <View>
                      <Text className='badge role-badge'>{ROLE_LABEL[m.role] ?? m.role}</Text>
                      {(m.age ?? 0) >= 60 ? <Text className='badge gold age-badge'>60+</Text> : null}
                      {m.bound ? null : <Text className='badge grey'>未登录</Text>}
                    </View>
                  </View>
                  <Text className='text muted member-phone'>{m.phone}</Text>
                </View>
              ))}
              <View className='pager'>
                <BigButton small kind='default' id='members-prev' disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
                  上一页
                </BigButton>
                <Text className='muted'>
                  {offset + 1}–{offset + d.members.length} / {d.total}
                </Text>
                <BigButton small kind='default' id='members-next' disabled={offset + d.members.length >= d.total} onClick={() => setOffset(offset + PAGE_SIZE)}>
                  下一页
                </BigButton>
              </View>
            </>
          )}
        </Async>
      </View>
    </>
  );
}

export default function Members() {
  // an organiser picks a branch of their subtree; a secretary's is their own
  const choice = useBranchChoice();
  return (
    <Page className='members' title='支部党员名册'>
      <Text className='page-title'>支部党员名册</Text>
      <BranchPicker choice={choice} id='members-branch' />
      <Async req={choice.me}>{() => (choice.ready ? <Roster key={choice.branchId ?? 'own'} branchId={choice.branchId} /> : null)}</Async>
    </Page>
  );
}
