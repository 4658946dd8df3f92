import { useEffect, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Image, Input, Text, Textarea, View } from '@tarojs/components';
import { activityApi, type ActivityOutputs } from '../../../../api/activity';
import { BigButton } from '../../../../components/big-button';
import { Page } from '../../../../components/page';
import { Async } from '../../../../components/states';
import { useNotice } from '../../../../hooks/use-notice';
import { useRequest } from '../../../../hooks/use-request';
import { useSubmit } from '../../../../hooks/use-submit';
import { pickAndUploadPhotos } from '../../../../utils/upload-photo';
import { pickAndUploadImport } from '../../../../utils/upload-import';
import { ATTACHMENT_TYPES, MAX_ATTACHMENTS, MAX_PHOTOS, MAX_TEXT, MIN_PHOTOS, MIN_TEXT } from '../../../../../core/activity/minutes';
import { formatDateTime } from '../../shared';
import '../../activity.scss';
import '../../components/minutes.scss';

type Data = ActivityOutputs['minutes'];
interface Photo {
  fileID: string;
  /** what to show: the server's link, or the local picture just uploaded */
  src: string;
}

/** an attachment (会议材料): a PDF, Word, Excel or PPT file */
interface Attachment {
  fileID: string;
  name: string;
  bytes: number;
}

/** Photos and attachments uploaded for an activity but not yet saved survive a failed save, a crash or a reload. */
const draftKey = (kind: 'photos' | 'files', id: string) => `minutes-${kind}:${id}`;
function loadDraft<T>(kind: 'photos' | 'files', id: string): T[] {
  try {
    const v = Taro.getStorageSync(draftKey(kind, id)) as T[] | '';
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}
function saveDraft<T>(kind: 'photos' | 'files', id: string, items: T[]) {
  try {
    Taro.setStorageSync(draftKey(kind, id), items);
  } catch {
    // storage full: the uploads stay on the page until it closes
  }
}

const sizeText = (n: number) => (n >= 1024 * 1024 ? `${Math.round((n / 1024 / 1024) * 10) / 10} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);

/** Fresh uploads not yet in the saved record: what the draft keeps. */
const unsaved = <T extends { fileID: string }>(items: T[], saved: { fileID: string }[] | undefined) => items.filter((x) => !(saved ?? []).some((s) => s.fileID === x.fileID));

/** A member of the branch by name: type a few characters, tap the person (large targets, any branch size). */
function PersonPick({ id, label, people, value, onChange }: { id: string; label: string; people: { id: string; name: string }[]; value: string; onChange: (id: string) => void }) {
  const [q, setQ] = useState('');
  const chosen = people.find((p) => p.id === value);
  const shown = people.filter((p) => !q.trim() || p.name.includes(q.trim())).slice(0, 12);
  return (
    <View className='field' id={id}>
      <Text className='field-label'>
        {label}：<Text className='text' id={`${id}-chosen`}>{chosen?.name ?? '请选择'}</Text>
      </Text>
      <Input className='field-input' id={`${id}-search`} value={q} placeholder='输入姓名查找' onInput={(e) => setQ(e.detail.value)} />
      <View className='person-chips'>
        {shown.map((p) => (
          <Text key={p.id} className={`link person-chip ${p.id === value ? 'chip-on' : ''}`} data-id={p.id} onClick={() => onChange(p.id)}>
            {p.name}
          </Text>
        ))}
      </View>
    </View>
  );
}

function Checklist({ id, d }: { id: string; d: NonNullable<Data['checklist']> }) {
  const [items, setItems] = useState(d.items);
  const tick = useSubmit();
  const toggle = (key: string, done: boolean) =>
    tick.send(async () => {
      const r = await activityApi.tickChecklist({ id, key, done });
      setItems(r.items);
    }, key);
  return (
    <View className='card' id='minutes-checklist-edit'>
      <Text className='card-title'>“7+1”议程（会上逐项勾选）</Text>
      {items.map((i) => (
        <View key={i.key} className='list-item checklist-item' data-key={i.key} onClick={() => void toggle(i.key, !i.done)}>
          <Text className='text'>
            {i.done ? '☑' : '☐'} {i.label}
          </Text>
          {tick.busyKey === i.key ? <Text className='muted'>保存中…</Text> : null}
        </View>
      ))}
      {tick.error ? <Text className='notice error'>{tick.error.message}</Text> : null}
    </View>
  );
}

function Editor({ id, d, reload, notify }: { id: string; d: Data; reload: () => void; notify: (t: string) => void }) {
  const m = d.minutes;
  const people = d.candidates ?? [];
  const [hostId, setHostId] = useState(d.hostId ?? '');
  const [recorderId, setRecorderId] = useState(d.recorderId ?? '');
  const [topics, setTopics] = useState(m?.topics ?? '');
  const [resolutions, setResolutions] = useState(m?.resolutions ?? '');
  const [reason, setReason] = useState('');
  const [photos, setPhotos] = useState<Photo[]>(() => {
    const saved = (m?.photos ?? []).map((p) => ({ fileID: p.fileID, src: p.url }));
    return [...saved, ...unsaved(loadDraft<Photo>('photos', id), saved)];
  });
  const [files, setFiles] = useState<Attachment[]>(() => {
    const saved = (m?.attachments ?? []).map((x) => ({ fileID: x.fileID, name: x.name, bytes: x.bytes }));
    return [...saved, ...unsaved(loadDraft<Attachment>('files', id), saved)];
  });
  const uploading = useSubmit();
  const attaching = useSubmit();
  const saving = useSubmit();
  useEffect(() => saveDraft('photos', id, unsaved(photos, m?.photos)), [id, photos, m]);
  useEffect(() => saveDraft('files', id, unsaved(files, m?.attachments)), [id, files, m]);
  const late = !!m && Date.now() > new Date(d.editableUntil).getTime();

  const add = () =>
    uploading.send(async () => {
      const left = MAX_PHOTOS - photos.length;
      if (left <= 0) return uploading.fail(`现场照片最多 ${MAX_PHOTOS} 张`);
      const up = await pickAndUploadPhotos(d.photoDir ?? '', left);
      const ok: Photo[] = [];
      try {
        for (const p of up) {
          await activityApi.checkUpload({ id, fileID: p.fileID, kind: 'photo', ...(p.thumbFileID ? { thumbFileID: p.thumbFileID } : {}) });
          ok.push({ fileID: p.fileID, src: p.preview });
        }
      } finally {
        // the photos that passed stay, even when a later one is refused
        if (ok.length) setPhotos((cur) => [...cur, ...ok]);
      }
    });

  const attach = () =>
    attaching.send(async () => {
      if (files.length >= MAX_ATTACHMENTS) return attaching.fail(`附件最多 ${MAX_ATTACHMENTS} 个`);
      const up = await pickAndUploadImport(d.fileDir ?? '', 'minutes-attachment-file', [...ATTACHMENT_TYPES]);
      if (!up) return;
      // the function reads the file back: a wrong type or size is refused (and deleted) there
      const r = await activityApi.checkUpload({ id, fileID: up.fileID, kind: 'file', name: up.fileName.slice(0, 80) });
      setFiles((cur) => [...cur, { fileID: up.fileID, name: up.fileName.slice(0, 80), bytes: r.bytes }]);
    });

  const save = () =>
    saving.send(async () => {
      if (!hostId || !recorderId) return saving.fail('请选择主持人和记录人');
      if (photos.length < MIN_PHOTOS) return saving.fail(`请至少上传 ${MIN_PHOTOS} 张现场照片`);
      const r = await activityApi.saveMinutes({
        id,
        hostId,
        recorderId,
        topics,
        resolutions,
        photos: photos.map((p) => p.fileID),
        attachments: files.map((f) => f.fileID),
        ...(late ? { reason } : {}),
      });
      saveDraft('photos', id, []);
      saveDraft('files', id, []);
      notify(r.changed ? `会议记录已保存（第 ${r.version} 版）` : '会议记录没有变化');
      setReason('');
      reload();
    });

  return (
    <>
      {d.checklist ? <Checklist id={id} d={d.checklist} /> : null}
      <View className='card' id='minutes-form'>
        <PersonPick id='minutes-host' label='主持人' people={people} value={hostId} onChange={setHostId} />
        <PersonPick id='minutes-recorder' label='记录人' people={people} value={recorderId} onChange={setRecorderId} />
        <View className='field'>
          <Text className='field-label'>会议内容（议题）</Text>
          <Textarea id='minutes-topics-input' className='textarea' maxlength={MAX_TEXT} value={topics} placeholder={`至少 ${MIN_TEXT} 个字`} onInput={(e) => setTopics(e.detail.value)} />
        </View>
        <View className='field'>
          <Text className='field-label'>会议决议</Text>
          <Textarea id='minutes-resolutions-input' className='textarea' maxlength={MAX_TEXT} value={resolutions} placeholder='会议形成的决议、分工和时限' onInput={(e) => setResolutions(e.detail.value)} />
        </View>
        <Text className='field-label'>
          现场照片（{photos.length}/{MAX_PHOTOS}，至少 {MIN_PHOTOS} 张）
        </Text>
        <View className='minutes-photos' id='minutes-photo-list'>
          {photos.map((p, i) => (
            <View key={p.fileID} className='minutes-photo-box'>
              <Image className='minutes-photo' src={p.src} mode='aspectFill' />
              <Text className='link minutes-photo-remove' id={`minutes-photo-remove-${i}`} onClick={() => setPhotos((cur) => cur.filter((x) => x.fileID !== p.fileID))}>
                删除
              </Text>
            </View>
          ))}
        </View>
        {uploading.error ? <Text className='notice error' id='minutes-upload-error'>{uploading.error.message}</Text> : null}
        <BigButton small kind='default' id='minutes-add-photo' busy={uploading.busy} disabled={photos.length >= MAX_PHOTOS} onClick={add}>
          {process.env.TARO_ENV === 'weapp' ? '拍照或从相册选择' : '选择照片'}
        </BigButton>
        <Text className='field-label'>
          附件（选填，{files.length}/{MAX_ATTACHMENTS}）：会议材料、签到表扫描件等 PDF、Word、Excel 或 PPT 文件
        </Text>
        <View id='minutes-attachment-list'>
          {files.map((f, i) => (
            <View key={f.fileID} className='list-item minutes-attachment'>
              <Text className='text'>
                {f.name}（{sizeText(f.bytes)}）
              </Text>
              <Text className='link' id={`minutes-attachment-remove-${i}`} onClick={() => setFiles((cur) => cur.filter((x) => x.fileID !== f.fileID))}>
                删除
              </Text>
            </View>
          ))}
        </View>
        {attaching.error ? <Text className='notice error' id='minutes-attach-error'>{attaching.error.message}</Text> : null}
        <BigButton small kind='default' id='minutes-add-attachment' busy={attaching.busy} disabled={files.length >= MAX_ATTACHMENTS} onClick={attach}>
          {process.env.TARO_ENV === 'weapp' ? '从聊天记录选择附件' : '选择附件'}
        </BigButton>
        {late ? (
          <View className='field'>
            <Text className='field-label'>修改原因（活动结束已超过 7 天，原记录会保留备查）</Text>
            <Input id='minutes-reason' className='field-input' value={reason} placeholder='例如：补记会上讨论的困难党员名单' onInput={(e) => setReason(e.detail.value)} />
          </View>
        ) : m ? (
          <Text className='muted'>{formatDateTime(d.editableUntil)} 前可直接修改，之后修改须填写原因。</Text>
        ) : null}
        {saving.error ? <Text className='notice error' id='minutes-save-error'>{saving.error.message}</Text> : null}
        <BigButton id='minutes-save' busy={saving.busy} onClick={save}>
          保存会议记录
        </BigButton>
      </View>
      {d.versions?.length ? (
        <View className='card' id='minutes-versions'>
          <Text className='card-title'>修改记录</Text>
          {d.versions.map((v) => (
            <Text key={v.version} className='muted'>
              第 {v.version} 版 · {v.replacedByName} 于 {formatDateTime(v.replacedAt)} 修改{v.reason ? `：${v.reason}` : ''}
            </Text>
          ))}
        </View>
      ) : null}
    </>
  );
}

export default function MinutesPage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const req = useRequest(() => activityApi.minutes(id), [id]);
  const act = useRequest(() => activityApi.get(id), [id]);
  // on the page, not in the editor: the editor is drawn anew when the saved record is read back
  const { notice, notify } = useNotice();
  return (
    <Page className='activity-minutes' title='会议记录'>
      <Text className='page-title' id='minutes-title'>
        会议记录{act.data ? `：${act.data.title}` : ''}
      </Text>
      {act.data ? <Text className='muted'>{act.data.typeLabel} · {formatDateTime(act.data.startAt)}</Text> : null}
      {notice ? <Text className='notice' id='minutes-notice'>{notice}</Text> : null}
      <Async req={req}>
        {(d) => (d.canEdit ? <Editor id={id} d={d} reload={req.reload} notify={notify} /> : <Text className='muted'>只有发起支部的书记可以填写会议记录。</Text>)}
      </Async>
    </Page>
  );
}
