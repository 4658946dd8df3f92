import { useState } from 'react';
import { Text, View } from '@tarojs/components';
import { orgApi, type OrgNodeView } from '../../../../api/org';
import { Async } from '../../../../components/states';
import { useRequest } from '../../../../hooks/use-request';

const TYPE_LABEL: Record<string, string> = { district: '区委', street: '街道党工委', community: '社区党委', branch: '党支部', group: '党小组' };

/**
 * Drill down the org tree (`children` action) until a 党支部 is tapped. Higher nodes open; a branch
 * is chosen. One level is loaded at a time, so no call returns the whole tree.
 */
export function OrgPicker({ onPick, selectedId }: { onPick(node: OrgNodeView): void; selectedId?: string }) {
  const [trail, setTrail] = useState<OrgNodeView[]>([]);
  const parentId = trail.length ? trail[trail.length - 1].id : undefined;
  const req = useRequest(() => orgApi.children(parentId ? { parentId } : {}), [parentId]);
  return (
    <View className='org-picker'>
      <View className='org-trail'>
        <Text className='link org-trail-item' onClick={() => setTrail([])}>
          全部
        </Text>
        {trail.map((n, i) => (
          <Text key={n.id} className='link org-trail-item' onClick={() => setTrail(trail.slice(0, i + 1))}>
            {' / '}
            {n.name}
          </Text>
        ))}
      </View>
      <Async req={req} isEmpty={(d) => d.length === 0} emptyText='这一级下面没有组织'>
        {(nodes) =>
          nodes.map((n) => (
            <View
              key={n.id}
              className={`list-item org-node ${n.id === selectedId ? 'org-node-selected' : ''}`}
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
    </View>
  );
}
