import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Image, Text, View } from '@tarojs/components';
import { orgApi, type InviteView } from '../../../../api/org';
import { BigButton } from '../../../../components/big-button';
import { Chip } from '../../../../components/chip';
import { Page } from '../../../../components/page';
import { Async } from '../../../../components/states';
import { useNotice } from '../../../../hooks/use-notice';
import { useRequest } from '../../../../hooks/use-request';
import { useSubmit } from '../../../../hooks/use-submit';
import { formatDate } from '../../../../utils/invite-code';
import '../manage.scss';

const TTL_CHOICES = [1, 7, 30];

/** What to share: on H5 a link into the hash router, on WeChat the page path with the code. */
function shareLink(inv: InviteView): string {
  if (process.env.TARO_ENV === 'h5' && typeof window !== 'undefined') {
    return `${window.location.origin}/#/${inv.path.replace(/^\//, '')}`;
  }
  return inv.path;
}

function InviteCard({ inv, onRevoked, notify }: { inv: InviteView; onRevoked(v: InviteView): void; notify(t: string): void }) {
  const [confirming, setConfirming] = useState(false);
  const revoking = useSubmit();
  const expired = new Date(inv.expiresAt).getTime() < Date.now();
  const usable = !inv.revoked && !expired && inv.uses < inv.maxUses;
  const revoke = () =>
    revoking.send(async () => {
      onRevoked(await orgApi.revokeInvite({ code: inv.code }));
      notify('已撤销');
      setConfirming(false);
    });
  return (
    <View className='item-col invite-item' data-code={inv.code}>
      <View className='row'>
        <Text className='invite-code'>{inv.code}</Text>
        <Text className={`badge ${usable ? '' : 'grey'}`}>{inv.revoked ? '已撤销' : expired ? '已过期' : inv.uses >= inv.maxUses ? '已用完' : '可使用'}</Text>
      </View>
      <Text className='muted'>
        {inv.branchName} · 已使用 {inv.uses}/{inv.maxUses} · 有效期至 {formatDate(inv.expiresAt)}
      </Text>
      {usable && inv.qr ? (
        <>
          <Image className='invite-qr' src={inv.qr} mode='aspectFit' showMenuByLongpress />
          <Text className='muted'>党员用微信扫一扫此小程序码即可打开加入页面；长按图片可保存或转发。</Text>
        </>
      ) : null}
      {usable && !inv.qr ? <Text className='muted invite-qr-missing'>小程序码暂时无法生成，党员可在“加入党支部”页面输入邀请码 {inv.code}。</Text> : null}
      {revoking.error ? <Text className='notice error'>{revoking.error.message}</Text> : null}
      {usable ? (
        <View className='actions'>
          <BigButton small kind='default' className='copy-link-btn' onClick={() => Taro.setClipboardData({ data: shareLink(inv) }).then(() => notify('链接已复制'))}>
            复制链接
          </BigButton>
          {confirming ? (
            <>
              <BigButton small kind='danger' className='revoke-confirm-btn' busy={revoking.busy} onClick={revoke}>
                确认撤销
              </BigButton>
              <BigButton small kind='plain' onClick={() => setConfirming(false)}>
                不撤销
              </BigButton>
            </>
          ) : (
            <BigButton small kind='danger' className='revoke-btn' onClick={() => setConfirming(true)}>
              撤销
            </BigButton>
          )}
        </View>
      ) : null}
    </View>
  );
}

export default function Invite() {
  const list = useRequest(() => orgApi.listInvites(), []);
  const [ttlDays, setTtl] = useState(7);
  const creating = useSubmit();
  const { notice, notify } = useNotice();

  const create = () =>
    creating.send(async () => {
      const inv = await orgApi.createInvite({ ttlDays });
      list.setData([inv, ...(list.data ?? [])]);
      notify('邀请码已生成');
    });
  const replace = (v: InviteView) => list.setData((list.data ?? []).map((i) => (i.code === v.code ? v : i)));

  return (
    <Page className='invite' title='邀请党员加入'>
      <Text className='page-title'>邀请党员加入</Text>
      {notice ? <Text className='notice' id='invite-notice'>{notice}</Text> : null}
      <View className='card'>
        <Text className='card-title'>生成邀请码</Text>
        <Text className='muted'>党员扫码或输入邀请码后提交申请，由您审核。</Text>
        <Text className='field-label'>有效期</Text>
        <View className='chips'>
          {TTL_CHOICES.map((d) => (
            <Chip key={d} on={d === ttlDays} className='ttl-chip' onClick={() => setTtl(d)}>
              {d} 天
            </Chip>
          ))}
        </View>
        {creating.error ? <Text className='notice error'>{creating.error.message}</Text> : null}
        <BigButton id='invite-create' busy={creating.busy} onClick={create}>
          生成邀请码
        </BigButton>
      </View>
      <View className='card' id='invite-list'>
        <Text className='card-title'>邀请码</Text>
        <Async req={list} isEmpty={(d) => d.length === 0} emptyText='还没有邀请码'>
          {(invites) => invites.slice(0, 50).map((inv) => <InviteCard key={inv.code} inv={inv} onRevoked={replace} notify={notify} />)}
        </Async>
      </View>
    </Page>
  );
}
