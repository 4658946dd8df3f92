import { useRef, useState } from 'react';
import { Input, Picker, Text, View } from '@tarojs/components';
import { studyApi, type OfflineView } from '../../../../api/study';
import { OFFLINE_KINDS, studyInputs } from '../../../../../core/study/contracts';
import { BigButton } from '../../../../components/big-button';
import { Chip } from '../../../../components/chip';
import { Page } from '../../../../components/page';
import { Async } from '../../../../components/states';
import { useNotice } from '../../../../hooks/use-notice';
import { useRequest } from '../../../../hooks/use-request';
import { useSubmit } from '../../../../hooks/use-submit';
import { requestId, todayInChina } from '../../format';
import '../more.scss';

function Field({ id, label, value, onInput, type = 'text', error }: { id: string; label: string; value: string; onInput: (v: string) => void; type?: 'text' | 'digit'; error?: string }) {
  return (
    <View className='field' id={id}>
      <Text className='field-label'>{label}</Text>
      <Input className='field-input' type={type} value={value} onInput={(e) => onInput(e.detail.value)} />
      {error ? <Text className='field-error'>{error}</Text> : null}
    </View>
  );
}

function RecordForm({ onSaved }: { onSaved: () => void }) {
  const roster = useRequest(() => studyApi.branchTable({}), []);
  const { notice, notify } = useNotice();
  const [kind, setKind] = useState<(typeof OFFLINE_KINDS)[number]>('送学上门');
  const [date, setDate] = useState(todayInChina());
  const [topic, setTopic] = useState('');
  const [hours, setHours] = useState('');
  const [place, setPlace] = useState('');
  const [by, setBy] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const saving = useSubmit();
  const [saved, setSaved] = useState('');
  // one id per filled-in form: a double tap or a retry records once
  const reqId = useRef(requestId());

  const submit = () => {
    const payload = { kind, date, topic, hours: Number(hours), place, deliveredBy: by, memberIds: chosen, requestId: reqId.current };
    const parsed = studyInputs.recordOffline.safeParse(payload);
    if (!parsed.success) {
      const e: Record<string, string> = {};
      for (const i of parsed.error.issues) e[String(i.path[0])] ??= i.message;
      setErrors(e);
      return;
    }
    setErrors({});
    setSaved('');
    void saving.send(async () => {
      const r = await studyApi.recordOffline(payload);
      notify(`已记录，${r.credited} 人计入学时`);
      setSaved(`已记录，${r.credited} 人计入学时`);
      reqId.current = requestId();
      setChosen([]);
      setTopic('');
      onSaved();
    });
  };

  return (
    <View className='card' id='offline-form'>
      <Text className='card-title'>记录一次线下学习</Text>
      {notice ? <Text className='notice' id='offline-notice'>{notice}</Text> : null}
      <View className='chips'>
        {OFFLINE_KINDS.map((k) => (
          <Chip key={k} on={k === kind} className='kind-chip' onClick={() => setKind(k)}>
            {k}
          </Chip>
        ))}
      </View>
      <View className='field' id='offline-date'>
        <Text className='field-label'>日期</Text>
        <Picker mode='date' value={date} end={todayInChina()} onChange={(e) => setDate(String(e.detail.value))}>
          <View className='field-input picker-value'>{date}</View>
        </Picker>
      </View>
      <Field id='offline-topic' label='学习内容' value={topic} onInput={setTopic} error={errors.topic} />
      <Field id='offline-hours' label='时长（小时，可填 1.5）' type='digit' value={hours} onInput={setHours} error={errors.hours} />
      <Field id='offline-place' label='地点' value={place} onInput={setPlace} error={errors.place} />
      <Field id='offline-by' label='授课/送学人' value={by} onInput={setBy} error={errors.deliveredBy} />
      <Text className='field-label'>参加的党员（已选 {chosen.length} 人）</Text>
      {errors.memberIds ? <Text className='field-error'>{errors.memberIds}</Text> : null}
      <Async req={roster}>
        {(t) => (
          <View id='offline-members'>
            {t.rows.map((r) => {
              const on = chosen.includes(r.memberId);
              return (
                <View
                  key={r.memberId}
                  className='list-item check-item'
                  data-id={r.memberId}
                  onClick={() => setChosen(on ? chosen.filter((x) => x !== r.memberId) : [...chosen, r.memberId])}
                >
                  <Text className='text'>
                    {r.name}
                    {(r.age ?? 0) >= 60 ? <Text className='badge gold'>60+</Text> : null}
                  </Text>
                  <View className={`check-box ${on ? 'on' : ''}`} />
                </View>
              );
            })}
          </View>
        )}
      </Async>
      {saved ? (
        <Text className='notice' id='offline-saved'>
          {saved}
        </Text>
      ) : null}
      {saving.error ? (
        <Text className='notice error' id='offline-error'>
          {saving.error.message}
        </Text>
      ) : null}
      <BigButton id='offline-submit' busy={saving.busy} onClick={submit}>
        保存并计入学时
      </BigButton>
      <Text className='muted'>按实际时长计学时（45 分钟折合 1 学时）；同一人同一天的线下学习合计不超过 24 小时。</Text>
    </View>
  );
}

function Records({ list }: { list: OfflineView[] }) {
  return (
    <View className='card' id='offline-list'>
      <Text className='card-title'>本年度记录</Text>
      {list.map((r) => (
        <View key={r.id} className='list-item offline-item'>
          <View className='item-main'>
            <Text className='text row-name'>
              {r.date} {r.kind}
            </Text>
            <Text className='text'>{r.topic}</Text>
            <Text className='muted'>
              {r.hours} 小时 · {r.place} · {r.deliveredBy} · {r.members.map((m) => m.name).join('、')}
            </Text>
          </View>
        </View>
      ))}
    </View>
  );
}

export default function OfflineRecords() {
  const list = useRequest(() => studyApi.listOffline({}), []);
  return (
    <Page className='study-more' title='线下学习记录'>
      <Text className='page-title'>线下学习记录</Text>
      <RecordForm onSaved={list.reload} />
      <Async req={list} isEmpty={(d) => d.length === 0} emptyText='今年还没有线下学习记录'>
        {(d) => <Records list={d} />}
      </Async>
    </Page>
  );
}
