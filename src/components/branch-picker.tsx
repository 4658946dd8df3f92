import { useState } from 'react';
import { Text, View } from '@tarojs/components';
import { orgApi, type OrgNodeView } from '../api/org';
import { useRequest, type RequestState } from '../hooks/use-request';
import { BigButton } from './big-button';
import { Async } from './states';

const TYPE_LABEL: Record<string, string> = { district: '区委', street: '街道党工委', community: '社区党委', branch: '党支部', group: '党小组' };

export interface PickedBranch {
  id: string;
  name: string;
}

export interface BranchChoice {
  /** the caller (`org.me`): its role decides whether there is anything to pick */
  me: RequestState<Awaited<ReturnType<typeof orgApi.me>>>;
  /** the organiser's subtree root; null for a secretary or member (their own branch, nothing to pick) */
  scope: { id: string; name: string } | null;
  picked: PickedBranch | null;
  setPicked(b: PickedBranch | null): void;
  /** the page may load: the caller is known and, for an organiser, a branch is chosen */
  ready: boolean;
  /** what to send as `branchId` (undefined: the caller's own branch) */
  branchId: string | undefined;
}

/** The branch a page is about: the caller's own, or for an organiser one they pick in their subtree. */
export function useBranchChoice(): BranchChoice {
  const me = useRequest(() => orgApi.me(), []);
  const [picked, setPicked] = useState<PickedBranch | null>(null);
  const scope = me.data?.scope ?? null;
  return { me, scope, picked, setPicked, ready: !!me.data && (!scope || !!picked), branchId: picked?.id };
}

/**
 * The branch an organiser's page is about, chosen from their own subtree: it opens at their scope
 * (`me.scope`) and drills down one level at a time (`children`), so no call returns the whole tree.
 * Secretaries and members have one branch: for them it renders nothing and the choice stays empty,
 * which every action reads as "the caller's own branch".
 */
export function BranchPicker({ choice, id = 'branch-picker' }: { choice: BranchChoice; id?: string }) {
  if (!choice.scope) return null;
  return <SubtreePicker id={id} scope={choice.scope} value={choice.picked} onChange={choice.setPicked} />;
}

function SubtreePicker({ id, scope, value, onChange }: { id: string; scope: { id: string; name: string }; value: PickedBranch | null; onChange(b: PickedBranch | null): void }) {
  const [open, setOpen] = useState(!value);
  const [trail, setTrail] = useState<OrgNodeView[]>([]);
  const parentId = trail.length ? trail[trail.length - 1].id : scope.id;
  const req = useRequest(() => orgApi.children({ parentId }), [parentId], { skip: !open });
  return (
    <View className='card branch-picker' id={id}>
      <View className='branch-picker-head'>
        <Text className='text branch-picker-value' id={`${id}-value`}>
          党支部：{value ? value.name : '请选择'}
        </Text>
        {!open ? (
          <BigButton small kind='default' id={`${id}-change`} onClick={() => setOpen(true)}>
            换一个支部
          </BigButton>
        ) : null}
      </View>
      {open ? (
        <>
          <View className='org-trail'>
            <Text className='link org-trail-item' onClick={() => setTrail([])}>
              {scope.name}
            </Text>
            {trail.map((n, i) => (
              <Text key={n.id} className='link org-trail-item' onClick={() => setTrail(trail.slice(0, i + 1))}>
                {' / '}
                {n.name}
              </Text>
            ))}
          </View>
          <Async req={req} isEmpty={(d) => d.filter((n) => n.type !== 'group').length === 0} emptyText='这一级下面没有党支部'>
            {(nodes) =>
              nodes
                .filter((n) => n.type !== 'group')
                .map((n) => (
                  <View
                    key={n.id}
                    className={`list-item branch-picker-node ${n.id === value?.id ? 'org-node-selected' : ''}`}
                    data-id={n.id}
                    onClick={() => {
                      if (n.type !== 'branch') return setTrail([...trail, n]);
                      onChange({ id: n.id, name: n.name });
                      setOpen(false);
                    }}
                  >
                    <View>
                      <Text className='text'>{n.name}</Text>
                      <Text className='muted'>
                        {TYPE_LABEL[n.type] ?? n.type}
                        {typeof n.memberCount === 'number' ? ` · ${n.memberCount} 人` : ''}
                      </Text>
                    </View>
                    <Text className={n.type === 'branch' ? 'badge' : 'text muted'}>{n.type === 'branch' ? (n.id === value?.id ? '已选' : '选择') : '›'}</Text>
                  </View>
                ))
            }
          </Async>
          {value ? (
            <Text className='link' onClick={() => setOpen(false)}>
              不换了
            </Text>
          ) : null}
        </>
      ) : null}
    </View>
  );
}
