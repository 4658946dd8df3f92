import { useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { pointsInputs } from '../../../../../core/points/contracts';
import type { RuleKey, RuleSet } from '../../../../../core/points/rules';
import { pointsApi, type RulesView } from '../../../../api/points';
import { BigButton } from '../../../../components/big-button';
import { Page } from '../../../../components/page';
import { Async } from '../../../../components/states';
import { useNotice } from '../../../../hooks/use-notice';
import { useRequest } from '../../../../hooks/use-request';
import { useSubmit } from '../../../../hooks/use-submit';
import '../../quiz.scss';

function RuleList({ rules, labels }: { rules: RulesView['current']; labels: RulesView['labels'] }) {
  return (
    <>
      {Object.entries(rules.values).map(([k, v]) =>
        k === 'quiz.streak' ? null : (
          <View key={k} className='list-item'>
            <Text className='text'>
              {labels[k as keyof typeof labels]?.label ?? k}（{labels[k as keyof typeof labels]?.unit}）
            </Text>
            <Text className='text text-red'>+{v}</Text>
          </View>
        ),
      )}
      {rules.streakBonuses.map((b) => (
        <View key={b.days} className='list-item'>
          <Text className='text'>连续答题每满 {b.days} 天</Text>
          <Text className='text text-red'>+{b.points}</Text>
        </View>
      ))}
      <View className='list-item'>
        <Text className='text'>每天最多</Text>
        <Text className='text'>{rules.dailyCap} 分</Text>
      </View>
    </>
  );
}

// numbers are kept as typed text so a half-typed field is not coerced; zod decides on save
const toNumber = (text: string) => (text.trim() === '' ? NaN : Number(text));

/** Organiser only: edit the rule values and the daily cap; a change always starts tomorrow. */
function RulesEditor({ view, onSaved }: { view: RulesView; onSaved(next: RulesView): void }) {
  // edit what will be in force tomorrow, so a second change refines the first instead of undoing it
  const base: RuleSet = view.upcoming?.rules ?? view.current;
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<Record<string, string>>({});
  const [cap, setCap] = useState('');
  const saving = useSubmit();
  const { notice, notify } = useNotice();
  const start = () => {
    setValues(Object.fromEntries(Object.entries(base.values).map(([k, v]) => [k, String(v)])));
    setCap(String(base.dailyCap));
    saving.clear();
    setOpen(true);
  };
  const save = async () => {
    const input = {
      values: Object.fromEntries(Object.keys(base.values).map((k) => [k, toNumber(values[k] ?? '')])) as Record<RuleKey, number>,
      streakBonuses: base.streakBonuses,
      dailyCap: toNumber(cap),
    };
    const parsed = pointsInputs.setRules.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const key = issue?.path[1] as RuleKey | undefined;
      const label = issue?.path[0] === 'values' && key ? view.labels[key]?.label : issue?.path[0] === 'dailyCap' ? '每日上限' : '';
      return saving.fail(`${label ? `${label}：` : ''}${issue?.code === 'invalid_type' ? '请填写整数' : issue?.message ?? '填写有误'}`);
    }
    await saving.send(async () => {
      const next = await pointsApi.setRules(parsed.data);
      setOpen(false);
      notify(`已保存，${next.upcoming?.from ?? '明天'}起生效`);
      onSaved(next);
    });
  };
  if (!open) {
    return (
      <>
        <BigButton id='rules-edit' kind='default' small onClick={start}>
          修改积分规则
        </BigButton>
        {notice ? <Text className='notice'>{notice}</Text> : null}
      </>
    );
  }
  return (
    <View id='rules-editor'>
      <Text className='card-title'>修改积分规则</Text>
      <Text className='text text-warn'>明天起生效，今天的积分不受影响。</Text>
      {Object.keys(base.values).map((k) =>
        // the streak line is shown as its bonus tiers, which keep their current values here
        k === 'quiz.streak' ? null : (
          <View key={k} className='field'>
            <Text className='field-label'>
              {view.labels[k as RuleKey]?.label ?? k}（{view.labels[k as RuleKey]?.unit}，分）
            </Text>
            <Input
              className='field-input rules-value'
              data-key={k}
              type='number'
              value={values[k] ?? ''}
              onInput={(e) => setValues((prev) => ({ ...prev, [k]: e.detail.value }))}
            />
          </View>
        ),
      )}
      <View className='field'>
        <Text className='field-label'>每天最多（分）</Text>
        <Input id='rules-cap' className='field-input' type='number' value={cap} onInput={(e) => setCap(e.detail.value)} />
      </View>
      {saving.error ? (
        <Text className='field-error' id='rules-error'>
          {saving.error.message}
        </Text>
      ) : null}
      <BigButton id='rules-save' busy={saving.busy} onClick={save}>
        保存（明天起生效）
      </BigButton>
      <BigButton id='rules-cancel' kind='plain' small onClick={() => setOpen(false)}>
        取消
      </BigButton>
    </View>
  );
}

/** 红色手账: every award with its reason and source, and the rules as they stand (and will stand tomorrow). */
export default function Points() {
  const history = useRequest(() => pointsApi.history(), []);
  const rules = useRequest(() => pointsApi.rules(), []);
  return (
    <Page className='quiz-points' title='红色手账'>
      <Async req={history}>
        {(h) => (
          <>
            <View className='card quiz-head' id='points-total'>
              <Text className='text'>我的积分</Text>
              <Text className='quiz-score'>{h.total}</Text>
              <Text className='text'>
                今天 +{h.today}（每日上限 {h.dailyCap}）
              </Text>
            </View>
            <View className='card' id='points-history'>
              <Text className='card-title'>积分明细</Text>
              {h.entries.length === 0 ? <Text className='muted'>还没有积分记录：完成每日答题即可获得积分</Text> : null}
              {h.entries.map((e) => (
                <View key={e.id} className='list-item ledger-item'>
                  <View>
                    <Text className='text'>{e.reason}</Text>
                    <Text className='muted'>{e.lines.map((l) => `${l.reason} +${l.points}`).join('，') || '未得分'}</Text>
                    {e.capped ? <Text className='muted'>已达每日上限，{e.capped} 分未计入</Text> : null}
                  </View>
                  <Text className='text text-red'>+{e.points}</Text>
                </View>
              ))}
            </View>
          </>
        )}
      </Async>
      <Async req={rules}>
        {(r) => (
          <View className='card' id='points-rules'>
            <Text className='card-title'>积分规则（{r.orgName}）</Text>
            <RuleList rules={r.current} labels={r.labels} />
            {r.upcoming ? (
              <>
                <Text className='card-title text-warn'>自 {r.upcoming.from} 起调整为</Text>
                <RuleList rules={r.upcoming.rules} labels={r.labels} />
              </>
            ) : (
              <Text className='muted'>规则如有调整，会提前一天在这里公布。</Text>
            )}
            {r.canEdit ? <RulesEditor view={r} onSaved={rules.setData} /> : null}
          </View>
        )}
      </Async>
    </Page>
  );
}
