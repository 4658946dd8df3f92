import { useEffect, useRef, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Text, Video, View } from '@tarojs/components';
import { studyApi, type LessonDetail } from '../../../api/study';
import { BigButton } from '../../../components/big-button';
import { Page } from '../../../components/page';
import { Async } from '../../../components/states';
import { useRequest } from '../../../hooks/use-request';
import { KIND_BADGE, formatMinutes, formatSeconds, formatWhen } from '../format';
import { canReadAloud, readAloud } from '../read-aloud';
import { useHeartbeat } from '../use-heartbeat';
import { toApiError } from '../../../api/errors';
import type { AppShowApi, ChannelsApi } from '../../../platform/channels-live';
import { LIVE_AWAY_MAX_SEC } from '../../../../core/study/live';
import { useChannelsLive } from './use-channels-live';
import '../index.scss';
import './index.scss';

/** the wx calls a 视频号 live needs, through Taro (never a global) */
const channelsApi = Taro as unknown as ChannelsApi & AppShowApi;

function Player({ lesson }: { lesson: LessonDetail }) {
  const live = lesson.live;
  const mediaPlays = lesson.kind === 'video' || lesson.kind === 'audio';
  const src = live ? (live.state === 'ended' ? live.replayUrl : live.streamUrl) : lesson.mediaUrl;
  // WeChat: a 视频号 live plays in WeChat's own room, outside the app; it is credited by join and return
  const channels = process.env.TARO_ENV === 'weapp' && !!live?.channelsId && live.state !== 'ended';
  // without a media file a video/audio lesson cannot be studied, so it earns nothing
  const canStudy = lesson.kind === 'article' || !!live || !!src;
  const playing = useRef(!mediaPlays || !src);
  const position = useRef(0);
  const readSince = useRef(Date.now());
  const ended = useRef(false);
  const cl = useChannelsLive(channelsApi, { id: lesson.id, finderUserName: live?.channelsId ?? null, startOffer: lesson.startOffer }, channels);
  const hb = useHeartbeat(lesson.id, canStudy && !channels, {
    position: () => {
      if (lesson.kind === 'article') {
        // reading time on the page, from where the member stopped last time
        return Math.min(lesson.durationSec, position.current + (Date.now() - readSince.current) / 1000);
      }
      return position.current;
    },
    playing: () => playing.current,
    // the end of a recorded lesson (or of an article's reading time) stops the session at once
    ended: () => ended.current || (lesson.kind === 'article' && position.current + (Date.now() - readSince.current) / 1000 >= lesson.durationSec),
  }, lesson.startOffer);
  useEffect(() => {
    if (hb.status === 'running' && hb.resumeAt && position.current === 0) {
      position.current = hb.resumeAt;
      readSince.current = Date.now();
    }
  }, [hb.status, hb.resumeAt]);

  const [speaking, setSpeaking] = useState(false);
  const stopSpeech = useRef<() => void>(() => undefined);
  useEffect(() => () => stopSpeech.current(), []);

  return (
    <>
      {live ? (
        <View className='card live-room' id='lesson-live'>
          {channels ? (
            <>
              <BigButton
                id='lesson-channels'
                disabled={cl.status !== 'ready'}
                onClick={() => cl.enter().catch((e: unknown) => Taro.showToast({ title: toApiError(e).message, icon: 'none', duration: 3000 }))}
              >
                {cl.status === 'away' ? '正在视频号观看…' : '进入直播（视频号）'}
              </BigButton>
              <Text className='muted' id='lesson-channels-rule'>
                直播在视频号播放。从点“进入直播”到您回到本页，直播时段内的时间计入学时（每次最多 {LIVE_AWAY_MAX_SEC / 3600} 小时）；停留在本页不计时。
              </Text>
            </>
          ) : src ? (
            <Video id='lesson-video' className='lesson-video' src={src} autoplay isLive={live.state === 'live'} onPlay={() => (playing.current = true)} onPause={() => (playing.current = false)} />
          ) : (
            <View className='live-placeholder' id='lesson-live-placeholder'>
              <Text className='live-dot'>● 直播中</Text>
              <Text className='text'>本地演示环境没有直播画面；页面打开期间照常计入观看时长。</Text>
            </View>
          )}
          <Text className='muted'>
            {live.state === 'ended' ? '直播已结束，观看回放同样计学时' : `${formatWhen(live.startsAt)} – ${formatWhen(live.endsAt)}`}
          </Text>
        </View>
      ) : mediaPlays ? (
        src ? (
          <Video
            id='lesson-video'
            className={`lesson-video ${lesson.kind === 'audio' ? 'lesson-audio' : ''}`}
            src={src}
            initialTime={hb.resumeAt}
            onPlay={() => (playing.current = true)}
            onPause={() => (playing.current = false)}
            onEnded={() => {
              playing.current = false;
              ended.current = true;
            }}
            onTimeUpdate={(e) => (position.current = e.detail.currentTime)}
          />
        ) : (
          <View className='card'>
            <Text className='text'>课程音视频文件还没有上传，暂时不能学习。</Text>
          </View>
        )
      ) : null}

      {canStudy ? (
        <View className='card credit-card' id='lesson-credit'>
          <Text className='text'>
            本课已计 <Text className='credit-value' id='lesson-credited'>{formatSeconds(channels ? cl.lessonSec : hb.lessonSec)}</Text>
            {(channels ? cl.completed : hb.completed) ? <Text className='badge' id='lesson-completed'>已完成</Text> : null}
          </Text>
          <Text className='muted'>{lesson.creditRule}</Text>
          {channels && cl.lastReturnSec !== null ? (
            <Text className='muted' id='lesson-channels-return'>
              刚才在视频号观看，计入 {formatSeconds(cl.lastReturnSec)}
            </Text>
          ) : null}
          {(channels ? cl.status : hb.status) === 'starting' ? <Text className='muted'>正在开始计时…</Text> : null}
          {(channels ? cl.message : hb.message) ? (
            <Text className='notice error' id='lesson-credit-message'>
              {channels ? cl.message : hb.message}
            </Text>
          ) : null}
        </View>
      ) : null}

      {lesson.kind === 'article' && lesson.body ? (
        <View className='card article' id='lesson-article'>
          {canReadAloud() ? (
            <BigButton
              id='lesson-read-aloud'
              kind='default'
              onClick={() => {
                if (speaking) {
                  stopSpeech.current();
                  setSpeaking(false);
                  return;
                }
                setSpeaking(true);
                stopSpeech.current = readAloud(`${lesson.title}。${lesson.body}`, () => setSpeaking(false));
              }}
            >
              {speaking ? '停止朗读' : '朗读全文'}
            </BigButton>
          ) : null}
          {lesson.body.split(/\n+/).map((para, i) => (
            <Text key={i} className='text article-para'>
              {para}
            </Text>
          ))}
        </View>
      ) : null}
    </>
  );
}

export default function Lesson() {
  const { params } = useRouter();
  const id = String(params.id ?? '');
  const req = useRequest(() => studyApi.lesson({ lessonId: id }), [id]);
  return (
    <Page className='study lesson' title='课程学习'>
      <Async req={req}>
        {(l) => (
          <>
            <Text className='page-title' id='lesson-title'>
              {l.title}
            </Text>
            <Text className='text lesson-meta'>
              {KIND_BADGE[l.kind]} · {l.speaker} · {formatMinutes(l.durationSec)} · {l.orgName}
            </Text>
            <Player lesson={l} />
          </>
        )}
      </Async>
    </Page>
  );
}
