import Taro from '@tarojs/taro';
import { Image, Text, View } from '@tarojs/components';
import { activityApi } from '../../../api/activity';
import { BigButton } from '../../../components/big-button';
import { goTo } from '../../../components/states';
import { useRequest } from '../../../hooks/use-request';
import { useSubmit } from '../../../hooks/use-submit';
import { ATTACHMENT_MESSAGES, openCloudDocument } from '../../../platform/files';
import { attachmentType } from '../../../../core/activity/minutes';
import { formatDateTime } from '../shared';
import './minutes.scss';

/**
 * The 会议记录 on a notice once the activity has begun: 主持人, 记录人, 议题, 决议, the 7+1 items and
 * the photos (tap to enlarge). The host secretary sees 待补记录 and the way to the editor.
 */
/**
 * An attachment: a browser tab on H5; on WeChat by its fileID through wx.cloud.downloadFile, then
 * the document viewer with its forward menu (src/platform/files.ts).
 */
async function openAttachment(x: { fileID: string; name: string; url: string }) {
  if (process.env.TARO_ENV === 'h5') {
    if (typeof window !== 'undefined') window.open(x.url, '_blank');
    return;
  }
  await openCloudDocument(Taro, x.fileID, attachmentType(x.name) ?? attachmentType(x.fileID) ?? 'pdf', ATTACHMENT_MESSAGES);
}

export function MinutesSummary({ id, canManage }: { id: string; canManage: boolean }) {
  const req = useRequest(() => activityApi.minutes(id), [id], { refreshOnShow: true });
  const opening = useSubmit();
  const d = req.data;
  if (!d) return null;
  const m = d.minutes;
  const edit = () => goTo(`/pages/activity/more/minutes/index?id=${id}`);
  if (!m) {
    if (!canManage) return null;
    return (
      <View className='card secretary-card' id='minutes-missing'>
        <Text className='card-title'>会议记录</Text>
        <Text className='badge red' id='minutes-pending'>待补记录</Text>
        <Text className='muted'>请填写主持人、记录人、会议内容和决议，并上传 2–9 张现场照片；有会议记录的会议才计入“三会一课”完成情况。</Text>
        <BigButton small id='minutes-write' onClick={edit}>
          填写会议记录
        </BigButton>
      </View>
    );
  }
  const urls = m.photos.map((p) => p.url).filter(Boolean);
  return (
    <View className='card' id='minutes-card'>
      <Text className='card-title'>会议记录</Text>
      <View className='kv'><Text className='kv-k'>主持人</Text><Text className='kv-v' id='minutes-host'>{m.hostName}</Text></View>
      <View className='kv'><Text className='kv-k'>记录人</Text><Text className='kv-v' id='minutes-recorder'>{m.recorderName}</Text></View>
      <Text className='field-label'>会议内容（议题）</Text>
      <Text className='agenda' id='minutes-topics'>{m.topics}</Text>
      <Text className='field-label'>会议决议</Text>
      <Text className='agenda' id='minutes-resolutions'>{m.resolutions}</Text>
      {m.checklist ? (
        <View id='minutes-checklist'>
          <Text className='field-label'>“7+1”议程</Text>
          {m.checklist.map((c) => (
            <Text key={c.key} className={`text ${c.done ? '' : 'muted'}`}>
              {c.done ? '☑' : '☐'} {c.label}
            </Text>
          ))}
        </View>
      ) : null}
      <View className='minutes-photos' id='minutes-photos'>
        {m.photos.map((p, i) => (
          <Image
            key={p.fileID}
            className='minutes-photo'
            src={p.url}
            mode='aspectFill'
            onClick={() => void Taro.previewImage({ current: p.url, urls }).catch(() => undefined)}
            id={`minutes-photo-${i}`}
          />
        ))}
      </View>
      {m.attachments.length ? (
        <View id='minutes-attachments'>
          <Text className='field-label'>附件</Text>
          {m.attachments.map((x, i) => (
            <Text key={x.fileID} className='link list-item' id={`minutes-attachment-${i}`} onClick={() => void opening.send(() => openAttachment(x), x.fileID)}>
              {x.name}
              {opening.busyKey === x.fileID ? '（正在打开…）' : ''}
            </Text>
          ))}
          {opening.error ? <Text className='notice error'>{opening.error.message}</Text> : null}
        </View>
      ) : null}
      <Text className='muted'>
        {m.updatedByName} 记录于 {formatDateTime(m.updatedAt)}
        {m.version > 1 ? `（第 ${m.version} 版）` : ''}
      </Text>
      {d.canEdit ? (
        <BigButton small kind='default' id='minutes-edit' onClick={edit}>
          修改会议记录
        </BigButton>
      ) : null}
    </View>
  );
}
