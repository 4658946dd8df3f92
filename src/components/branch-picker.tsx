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
  // kept while the tree is closed: it reopens at the level last used, a sibling branch one tap away
  const [trail, setTrail] = useState<OrgNodeView[]>([]);
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
          <OrgTree
            root={scope}
            trail={[trail, setTrail]}
            selectedId={value?.id}
            nodeClass='branch-picker-node'
            onPick={(n) => {
              onChange({ id: n.id, name: n.name });
              setOpen(false);
            }}
          />
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

/**
 * Drills down the org tree from `root` (an organiser's scope; none: the top of the tree) one level at a
 * time (`children`), so no call returns the whole tree, until a 党支部 is tapped. 党小组 are not offered.
 */
export function OrgTree({
  root,
  trail: kept,
  selectedId,
  nodeClass,
  onPick,
}: {
  root: { id: string; name: string } | null;
  /** the levels opened below the root, when the caller keeps them (otherwise the tree does) */
  trail?: [OrgNodeView[], (t: OrgNodeView[]) => void];
  selectedId?: string;
  /** the class of each row (tests and styles find the rows by it) */
  nodeClass: string;
  onPick(n: OrgNodeView): void;
}) {
  const own = useState<OrgNodeView[]>([]);
  const [trail, setTrail] = kept ?? own;
  const parentId = trail.length ? trail[trail.length - 1].id : root?.id;
  const req = useRequest(() => orgApi.children(parentId ? { parentId } : {}), [parentId]);
  return (
    <>
      <View className='org-trail'>
        <Text className='link org-trail-item' onClick={() => setTrail([])}>
          {root?.name ?? '全部'}
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
                className={`list-item ${nodeClass} ${n.id === selectedId ? 'org-node-selected' : ''}`}
                data-id={n.id}
                onClick={() => (n.type === 'branch' ? onPick(n) : setTrail([...trail, n]))}
              >
                <View>
                  <Text className='text'>{n.name}</Text>
                  <Text className='muted'>
                    {TYPE_LABEL[n.type] ?? n.type}
                    {typeof n.memberCount === 'number' ? ` · ${n.memberCount} 人` : ''}
                  </Text>
                </View>
                <Text className={n.type === 'branch' ? 'badge' : 'text muted'}>{n.type === 'branch' ? (n.id === selectedId ? '已选' : '选择') : '›'}</Text>
              </View>
            ))
        }
      </Async>
    </>
  );
}
