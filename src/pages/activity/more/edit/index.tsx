import { useEffect, useMemo, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Input, Picker, Text, Textarea, View } from '@tarojs/components';
import { toApiError, type ApiError } from '../../../../api';
import { chooseMapPoint } from '../../../../platform/location';
import { LocationProblem } from '../../../../platform/location-problem';
import { activityApi, type ActivityView } from '../../../../api/activity';
import { BigButton } from '../../../../components/big-button';
import { Chip } from '../../../../components/chip';
import { Page } from '../../../../components/page';
import { Loading } from '../../../../components/states';
import { useSubmit } from '../../../../hooks/use-submit';
import { activityFields } from '../../../../../core/activity/contracts';
import { ACTIVITY_TYPES, type ActivityType } from '../../../../../core/activity/rules';
import { formatChina } from '../../../../../core/day';
import { JOINT_STATUS_LABEL, jointApi } from '../../shared';
import '../../activity.scss';

// The form's wall clock is China time whatever zone the phone is set to: members and secretaries
// meet in China, and the server stores UTC.
const dateOf = (d: Date) => formatChina(d, 'YYYY-MM-DD');
const timeOf = (d: Date) => formatChina(d, 'HH:mm');
const toDate = (day: string, time: string) => new Date(`${day}T${time}:00+08:00`);

const DURATIONS = [60, 90, 120, 180];
const STUDY = [0, 45, 90, 135];
const RADII = [null, 100, 200, 500];

function defaultStart(): Date {
  // the next quarter hour at least 15 minutes away: a notice posted now can be signed in to soon
  const quarter = 15 * 60_000;
  return new Date(Math.ceil((Date.now() + quarter) / quarter) * quarter);
}

export default function EditActivity() {
  const { params } = useRouter();
  const editingId = params.id;
  const start0 = useMemo(defaultStart, []);
  const [loading, setLoading] = useState(!!editingId);
  const [published, setPublished] = useState(false);
  const [type, setType] = useState<ActivityType>('theme_day');
  const [title, setTitle] = useState('');
  const [agenda, setAgenda] = useState('');
  const [day, setDay] = useState(dateOf(start0));
  const [time, setTime] = useState(timeOf(start0));
  const [duration, setDuration] = useState(120);
  const [placeName, setPlaceName] = useState('');
  const [address, setAddress] = useState('');
  const [point, setPoint] = useState<{ lat: number; lng: number } | null>(null);
  const [radius, setRadius] = useState<number | null>(null);
  const [studyMinutes, setStudy] = useState(90);
  const [makeUpText, setMakeUp] = useState('');
  const [changeNote, setChangeNote] = useState('');
  // who takes part beyond the host branch: kept as saved when editing (a published notice cannot change it)
  const [groupId, setGroupId] = useState<string | null>(null);
  const [jointIds, setJointIds] = useState<string[]>([]);
  const [joint, setJoint] = useState<ActivityView['joint']>([]);
  const [partners, setPartners] = useState<{ id: string; name: string }[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [loadError, setLoadError] = useState('');
  const [locationError, setLocationError] = useState<ApiError | null>(null);
  const submit = useSubmit<void, 'save' | 'publish'>();
  const requestId = useMemo(() => `r${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`, []);

  useEffect(() => {
    if (!editingId) return;
    activityApi.get(editingId).then(
      (a) => {
        const s = new Date(a.startAt);
        setPublished(a.status === 'published');
        setType(a.type);
        setTitle(a.title);
        setAgenda(a.agenda);
        setDay(dateOf(s));
        setTime(timeOf(s));
        setDuration(Math.round((new Date(a.endAt).getTime() - s.getTime()) / 60_000));
        setPlaceName(a.place.name);
        setAddress(a.place.address);
        if (a.place.lat !== undefined && a.place.lng !== undefined) setPoint({ lat: a.place.lat, lng: a.place.lng });
        setRadius(a.geofenceRadiusM);
        setStudy(a.studyMinutes);
        setMakeUp(a.makeUpText);
        setGroupId(a.groupId);
        setJointIds(a.jointBranchIds);
        setJoint(a.joint);
        setLoading(false);
      },
      (e) => {
        setLoadError(toApiError(e).message);
        setLoading(false);
      },
    );
  }, [editingId]);

  useEffect(() => {
    // the other branches of the community, for 联建; without them the section simply does not show
    jointApi.invites({}).then(
      (r) => setPartners(r.partners),
      () => setPartners([]),
    );
  }, []);

  const toggleJoint = (id: string) => setJointIds((ids) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]));

  const build = () => {
    const start = toDate(day, time);
    return {
      type,
      title,
      agenda,
      startAt: start.toISOString(),
      endAt: new Date(start.getTime() + duration * 60_000).toISOString(),
      place: { name: placeName, address, ...(point ?? {}) },
      studyMinutes,
      geofenceRadiusM: point ? radius : null,
      makeUpText,
      groupId,
      jointBranchIds: jointIds,
    };
  };

  const save = (andPublish: boolean) => {
    if (submit.busy) return;
    const fields = build();
    const parsed = activityFields.safeParse(fields);
    if (!parsed.success) {
      const errs: Record<string, string> = {};
      for (const i of parsed.error.issues) errs[String(i.path[0])] ??= i.message;
      setErrors(errs);
      return;
    }
    setErrors({});
    setLoadError('');
    void submit.send(async () => {
      const saved = await activityApi.save({ ...(editingId ? { id: editingId } : { requestId }), ...(published ? { changeNote } : {}), fields });
      if (andPublish && saved.status === 'draft') await activityApi.publish(saved.id);
      Taro.redirectTo({ url: `/pages/activity/detail/index?id=${saved.id}` });
    }, andPublish ? 'publish' : 'save');
  };

  const pickPoint = async () => {
    setLocationError(null);
    try {
      const r = await chooseMapPoint(Taro);
      if (!r) return; // the secretary closed the map
      setPoint({ lat: r.lat, lng: r.lng });
      if (!placeName) setPlaceName(r.name);
      if (!address) setAddress(r.address);
      if (radius === null) setRadius(200);
    } catch (err) {
      setLocationError(toApiError(err));
    }
  };

  if (loading) return <Page title='活动通知'><Loading /></Page>;
  return (
    <Page className='activity-edit' title={editingId ? '修改活动通知' : '发布活动通知'}>
      <Text className='page-title'>{editingId ? '修改活动通知' : '发布活动通知'}</Text>
      {loadError || submit.error ? <Text className='notice error' id='edit-error'>{loadError || submit.error?.message}</Text> : null}
      <View className='card'>
        <Text className='field-label'>活动类型</Text>
        <View className='chips'>
          {(Object.keys(ACTIVITY_TYPES) as ActivityType[]).map((k) => (
            <Chip key={k} on={k === type} className='type-chip' data-type={k} onClick={() => setType(k)}>
              {ACTIVITY_TYPES[k]}
            </Chip>
          ))}
        </View>
        <View className='field'>
          <Text className='field-label'>活动主题</Text>
          <Input id='edit-title' className='field-input' value={title} maxlength={60} placeholder='例如：11 月主题党日 · 学习党章' onInput={(e) => setTitle(e.detail.value)} />
          {errors.title ? <Text className='field-error'>{errors.title}</Text> : null}
        </View>
        <View className='two-col'>
          <View className='field'>
            <Text className='field-label'>日期</Text>
            <Picker mode='date' value={day} onChange={(e) => setDay(String(e.detail.value))}>
              <View className='picker-value' id='edit-day'>{day}</View>
            </Picker>
          </View>
          <View className='field'>
            <Text className='field-label'>开始时间</Text>
            <Picker mode='time' value={time} onChange={(e) => setTime(String(e.detail.value))}>
              <View className='picker-value' id='edit-time'>{time}</View>
            </Picker>
          </View>
        </View>
        {errors.startAt || errors.endAt ? <Text className='field-error'>{errors.startAt ?? errors.endAt}</Text> : null}
        <Text className='field-label'>时长</Text>
        <View className='chips'>
          {DURATIONS.map((d) => (
            <Chip key={d} on={d === duration} onClick={() => setDuration(d)}>
              {d / 60} 小时
            </Chip>
          ))}
        </View>
        <Text className='muted'>签到时间：开始前 30 分钟至开始后 30 分钟。</Text>
      </View>
      <View className='card'>
        <View className='field'>
          <Text className='field-label'>地点</Text>
          <Input id='edit-place' className='field-input' value={placeName} maxlength={60} placeholder='例如：社区党群服务中心' onInput={(e) => setPlaceName(e.detail.value)} />
          {errors.place ? <Text className='field-error'>{errors.place}</Text> : null}
        </View>
        <View className='field'>
          <Text className='field-label'>详细地址（选填）</Text>
          <Input id='edit-address' className='field-input' value={address} maxlength={120} onInput={(e) => setAddress(e.detail.value)} />
        </View>
        {process.env.TARO_ENV === 'weapp' ? (
          <BigButton small kind='default' onClick={pickPoint}>
            {point ? '重新选择地图位置' : '选择地图位置（用于定位签到）'}
          </BigButton>
        ) : null}
        {locationError ? <LocationProblem error={locationError} onAllowed={pickPoint} /> : null}
        {point ? (
          <>
            <Text className='field-label'>定位签到范围</Text>
            <View className='chips'>
              {RADII.map((r) => (
                <Chip key={String(r)} on={r === radius} onClick={() => setRadius(r)}>
                  {r === null ? '不限定位置' : `${r} 米内`}
                </Chip>
              ))}
            </View>
          </>
        ) : null}
      </View>
      {!groupId && (partners.length || jointIds.length) ? (
        <View className='card' id='edit-joint'>
          <Text className='field-label'>联建支部（选填）</Text>
          {published ? (
            <View>
              {joint.map((j) => (
                <Text key={j.branchId} className='text joint-answer'>
                  {j.name || j.branchId}：{JOINT_STATUS_LABEL[j.status]}
                </Text>
              ))}
            </View>
          ) : (
            <View className='chips'>
              {partners.map((p) => (
                <Chip key={p.id} on={jointIds.includes(p.id)} className='joint-chip' data-branch={p.id} onClick={() => toggleJoint(p.id)}>
                  {p.name}
                </Chip>
              ))}
            </View>
          )}
          <Text className='muted' id='edit-joint-note'>
            发布后会向所选支部发出联建邀请。须由对方支部书记在小程序“活动”页接受邀请，对方支部的党员才会列入应到名单、收到通知；活动开始前未接受的不参加。对方党员的请假、代签和出勤更正由对方支部书记处理。
          </Text>
          {errors.jointBranchIds ? <Text className='field-error'>{errors.jointBranchIds}</Text> : null}
        </View>
      ) : null}
      <View className='card'>
        <Text className='field-label'>计入学时</Text>
        <View className='chips'>
          {STUDY.map((m) => (
            <Chip key={m} on={m === studyMinutes} className='study-chip' onClick={() => setStudy(m)}>
              {m === 0 ? '不计' : `${m} 分钟`}
            </Chip>
          ))}
        </View>
        <View className='field'>
          <Text className='field-label'>活动内容</Text>
          <Textarea id='edit-agenda' className='textarea' value={agenda} maxlength={2000} placeholder='议程、学习内容' onInput={(e) => setAgenda(e.detail.value)} />
        </View>
        <View className='field'>
          <Text className='field-label'>补学要求（请假、缺席的党员会看到）</Text>
          <Textarea id='edit-makeup' className='textarea' value={makeUpText} maxlength={2000} placeholder='例如：阅读学习材料并写下学习体会' onInput={(e) => setMakeUp(e.detail.value)} />
        </View>
        {published ? (
          <View className='field'>
            <Text className='field-label'>变更说明（必填，党员会看到）</Text>
            <Input id='edit-change-note' className='field-input' value={changeNote} maxlength={200} onInput={(e) => setChangeNote(e.detail.value)} />
          </View>
        ) : null}
      </View>
      {published ? (
        <BigButton id='edit-save' busy={submit.busyKey === 'save'} onClick={() => save(false)}>
          保存变更并通知党员
        </BigButton>
      ) : (
        <>
          <BigButton id='edit-publish' busy={submit.busyKey === 'publish'} onClick={() => save(true)}>
            发布通知
          </BigButton>
          <BigButton id='edit-save' kind='default' busy={submit.busyKey === 'save'} onClick={() => save(false)}>
            存为草稿
          </BigButton>
        </>
      )}
    </Page>
  );
}
