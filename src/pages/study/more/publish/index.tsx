import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, Textarea, View } from '@tarojs/components';
import { studyApi } from '../../../../api/study';
import { ApiError, toApiError } from '../../../../api';
import { studyInputs } from '../../../../../core/study/contracts';
import { BigButton } from '../../../../components/big-button';
import { Chip } from '../../../../components/chip';
import { Page } from '../../../../components/page';
import { goTo } from '../../../../components/states';
import { useNotice } from '../../../../hooks/use-notice';
import { useSubmit } from '../../../../hooks/use-submit';
import '../more.scss';
import './publish.scss';

type Kind = 'video' | 'audio' | 'article';
const KINDS: { kind: Kind; label: string }[] = [
  { kind: 'video', label: '视频' },
  { kind: 'audio', label: '音频' },
  { kind: 'article', label: '文章' },
];
const AUDIO_EXT = ['mp3', 'm4a', 'aac', 'wav'];
// Only WeChat has cloud storage; the H5 app talks to a plain HTTP endpoint.
const CAN_UPLOAD = process.env.TARO_ENV === 'weapp';

interface Uploaded {
  fileID: string;
  name: string;
}

interface FieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (v: string) => void;
  type?: 'text' | 'number';
  placeholder?: string;
  maxlength?: number;
  error?: string;
}

function Field({ id, label, value, onInput, type = 'text', placeholder, maxlength, error }: FieldProps) {
  return (
    <View className='field' id={id}>
      <Text className='field-label'>{label}</Text>
      <Input className='field-input' type={type} value={value} placeholder={placeholder} maxlength={maxlength} onInput={(e) => onInput(e.detail.value)} />
      {error ? <Text className='field-error'>{error}</Text> : null}
    </View>
  );
}

function isCancel(e: unknown): boolean {
  return /cancel/i.test(String((e as { errMsg?: string })?.errMsg ?? ''));
}

/** Cloud paths must stay plain: keep the extension, replace anything unusual (Chinese names included). */
function cloudPathFor(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/_+/g, '_').slice(-60) || 'file';
  return `lessons/${Date.now()}-${safe}`;
}

/** WeChat: pick a video from the album/camera or an audio file from a chat, upload it, return its fileID. */
async function pickAndUpload(kind: 'video' | 'audio'): Promise<(Uploaded & { seconds?: number }) | null> {
  let filePath: string;
  let name: string;
  let seconds: number | undefined;
  try {
    if (kind === 'video') {
      const r = await Taro.chooseMedia({ count: 1, mediaType: ['video'], sourceType: ['album', 'camera'] });
      const f = r.tempFiles[0];
      filePath = f.tempFilePath;
      name = filePath.split('/').pop() ?? 'video.mp4';
      seconds = f.duration;
    } else {
      const r = await Taro.chooseMessageFile({ count: 1, type: 'file', extension: AUDIO_EXT });
      const f = r.tempFiles[0];
      filePath = f.path;
      name = f.name;
    }
  } catch (e) {
    if (isCancel(e)) return null;
    throw e;
  }
  const up = await Taro.cloud.uploadFile({ cloudPath: cloudPathFor(name), filePath });
  return { fileID: up.fileID, name, seconds };
}

export default function PublishLesson() {
  const { notice, notify } = useNotice();
  const [kind, setKind] = useState<Kind>('video');
  const [title, setTitle] = useState('');
  const [speaker, setSpeaker] = useState('');
  const [minutes, setMinutes] = useState('');
  const [body, setBody] = useState('');
  const [mediaUrl, setMediaUrl] = useState('');
  const [uploaded, setUploaded] = useState<Uploaded | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  // one at a time: an upload and a publish never run together
  const action = useSubmit<void, 'upload' | 'publish'>();
  const uploading = action.busyKey === 'upload';
  const busy = action.busyKey === 'publish';
  const [result, setResult] = useState<{ id: string; title: string } | null>(null);

  const isMedia = kind !== 'article';

  const chooseKind = (k: Kind) => {
    // a video file must not end up as an audio lesson (or the other way round)
    if (k !== kind) setUploaded(null);
    setKind(k);
    setErrors({});
  };

  const upload = () => {
    if (kind === 'article') return;
    void action.send(async () => {
      const r = await pickAndUpload(kind).catch((e: unknown) => {
        throw new ApiError('INTERNAL', `上传失败，请检查网络后重试（${(e as { errMsg?: string })?.errMsg ?? toApiError(e).message}）`, e);
      });
      if (!r) return;
      setUploaded({ fileID: r.fileID, name: r.name });
      setMediaUrl('');
      setErrors((e) => ({ ...e, mediaUrl: '' }));
      if (!minutes && r.seconds) setMinutes(String(Math.max(1, Math.round(r.seconds / 60))));
      notify('文件已上传');
    }, 'upload');
  };

  const submit = () => {
    if (action.busy) return;
    const m = minutes.trim() === '' ? undefined : Number(minutes);
    const media = uploaded?.fileID ?? (mediaUrl.trim() || undefined);
    const payload = {
      kind,
      title,
      speaker,
      minutes: m !== undefined && Number.isFinite(m) ? m : undefined,
      ...(isMedia ? { mediaUrl: media } : { body: body.trim() || undefined }),
    };
    const parsed = studyInputs.createLesson.safeParse(payload);
    const e: Record<string, string> = {};
    if (!parsed.success) for (const i of parsed.error.issues) e[String(i.path[0])] ??= i.message;
    // a typo'd address would publish a lesson nobody can play
    if (isMedia && !uploaded && media && !/^(https?|cloud):\/\//.test(media)) e.mediaUrl ??= '地址应以 https:// 、http:// 或 cloud:// 开头';
    if (isMedia && e.mediaUrl && !media) e.mediaUrl = CAN_UPLOAD ? '请上传音视频文件，或填写播放地址' : '请填写音视频的播放地址';
    if (Object.keys(e).length > 0 || !parsed.success) {
      setErrors(e);
      return;
    }
    setErrors({});
    setResult(null);
    void action.send(async () => {
      const r = await studyApi.createLesson(parsed.data);
      notify('课程已发布');
      setResult({ id: r.id, title: parsed.data.title });
      setTitle('');
      setBody('');
      setMediaUrl('');
      setUploaded(null);
      setMinutes('');
    }, 'publish');
  };

  return (
    <Page className='study-more' title='发布课程'>
      <Text className='page-title'>发布课程</Text>
      <View className='card' id='publish-form'>
        <Text className='card-title'>课程信息</Text>
        {notice ? (
          <Text className='notice' id='publish-notice'>
            {notice}
          </Text>
        ) : null}
        <View className='chips' id='publish-kind'>
          {KINDS.map((k) => (
            <Chip key={k.kind} on={k.kind === kind} className='kind-chip' data-kind={k.kind} onClick={() => chooseKind(k.kind)}>
              {k.label}
            </Chip>
          ))}
        </View>
        <Field id='publish-title' label='课程标题' value={title} maxlength={60} onInput={setTitle} error={errors.title} />
        <Field id='publish-speaker' label='主讲人' value={speaker} maxlength={20} onInput={setSpeaker} error={errors.speaker} />
        <Field id='publish-minutes' label='时长（分钟）' type='number' value={minutes} onInput={setMinutes} error={errors.minutes} />

        {isMedia ? (
          <View className='field' id='publish-media'>
            <Text className='field-label'>{kind === 'video' ? '视频文件' : '音频文件'}</Text>
            {CAN_UPLOAD ? (
              <>
                {uploaded ? (
                  <Text className='publish-file' id='publish-file'>
                    已上传：{uploaded.name}
                  </Text>
                ) : null}
                <BigButton id='publish-upload' small kind='default' busy={uploading} disabled={busy} onClick={upload}>
                  {uploaded ? '换一个文件' : kind === 'video' ? '从手机选择视频并上传' : '从聊天记录选择音频并上传'}
                </BigButton>
                {kind === 'audio' ? <Text className='muted'>音频需先发到微信聊天中（如文件传输助手），支持 {AUDIO_EXT.join('、')}。</Text> : null}
                <Text className='field-label'>或填写播放地址</Text>
              </>
            ) : (
              <Text className='muted' id='publish-h5-hint'>
                网页版不能上传文件，请填写音视频的播放地址（https:// 开头）；上传文件请在微信小程序中操作。
              </Text>
            )}
            <Input
              id='publish-url'
              className='field-input'
              value={mediaUrl}
              maxlength={500}
              placeholder='https://…'
              disabled={!!uploaded}
              onInput={(ev) => setMediaUrl(ev.detail.value)}
            />
            {uploaded ? (
              <BigButton id='publish-use-url' small kind='plain' onClick={() => setUploaded(null)}>
                不用上传的文件，改填地址
              </BigButton>
            ) : null}
            {errors.mediaUrl ? <Text className='field-error'>{errors.mediaUrl}</Text> : null}
          </View>
        ) : (
          <View className='field' id='publish-body'>
            <Text className='field-label'>正文</Text>
            <Textarea className='publish-body' value={body} maxlength={20000} placeholder='请输入文章正文' onInput={(ev) => setBody(ev.detail.value)} />
            {errors.body ? <Text className='field-error'>{errors.body}</Text> : null}
          </View>
        )}

        {result ? (
          <View id='publish-result'>
            <Text className='notice'>已发布《{result.title}》，党员在“学习”页即可看到。</Text>
            <BigButton small kind='plain' onClick={() => goTo(`/pages/study/lesson/index?id=${encodeURIComponent(result.id)}`)}>
              查看课程
            </BigButton>
          </View>
        ) : null}
        {action.error ? (
          <Text className='notice error' id='publish-error'>
            {action.error.message}
          </Text>
        ) : null}
        <BigButton id='publish-submit' busy={busy} disabled={uploading} onClick={submit}>
          发布课程
        </BigButton>
        <Text className='muted'>支部书记发布到本支部，上级管理员发布到所管理的全部支部。党员按实际学习时长计学时（45 分钟折合 1 学时）。</Text>
      </View>
    </Page>
  );
}
