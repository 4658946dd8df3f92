import { useEffect, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { orgInputs } from '../../../../core/org/contracts';
import { orgApi, type OrgOutputs } from '../../../api/org';
import { BigButton } from '../../../components/big-button';
import { Page } from '../../../components/page';
import { ErrorState, goTab } from '../../../components/states';
import { useSubmit } from '../../../hooks/use-submit';
import { formatDate, parseInviteCode } from '../../../utils/invite-code';
import { inviteCodeFromParams } from './launch';
import './index.scss';

type Info = OrgOutputs['inviteInfo'];
type FieldErrors = Partial<Record<'code' | 'name' | 'phone', string>>;

/** The same schema the server validates with, so the form shows the same words before sending. */
function validate(code: string, name: string, phone: string): FieldErrors {
  const r = orgInputs.apply.safeParse({ code, name, phone });
  if (r.success) return {};
  const out: FieldErrors = {};
  for (const issue of r.error.issues) {
    const key = issue.path[0] as keyof FieldErrors;
    if (!out[key]) out[key] = issue.message;
  }
  return out;
}

export default function Join() {
  const router = useRouter();
  const [code, setCode] = useState('');
  const [info, setInfo] = useState<Info | null>(null);
  const lookup = useSubmit();
  const [codeError, setCodeError] = useState('');
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const applying = useSubmit();
  const [done, setDone] = useState<OrgOutputs['apply'] | null>(null);

  const lookUp = async (raw: string) => {
    const parsed = orgInputs.inviteInfo.safeParse({ code: raw });
    if (!parsed.success) {
      setCodeError(parsed.error.issues[0]?.message ?? '邀请码格式不对');
      return;
    }
    setCodeError('');
    await lookup.send(() =>
      orgApi.inviteInfo({ code: parsed.data.code }).then(
        (found) => {
          setInfo(found);
          setCode(parsed.data.code);
        },
        (err: unknown) => {
          setInfo(null);
          throw err;
        },
      ),
    );
  };

  useEffect(() => {
    // a scanned 小程序码 opens this page with ?scene=<code>, a shared link with ?code=<code>
    const fromQuery = inviteCodeFromParams(router.params);
    if (fromQuery) {
      setCode(fromQuery);
      void lookUp(fromQuery);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const scan = async () => {
    try {
      const res = await Taro.scanCode({ onlyFromCamera: false });
      const found = parseInviteCode(res.path || '') ?? parseInviteCode(res.result || '');
      if (!found) {
        setCodeError('没有识别到邀请码，请扫描支部书记出示的二维码');
        return;
      }
      setCode(found);
      void lookUp(found);
    } catch {
      // the person closed the scanner: nothing to say
    }
  };

  const submit = async () => {
    if (applying.busy || !info) return;
    const fieldErrors = validate(info.code, name, phone);
    setErrors(fieldErrors);
    if (Object.keys(fieldErrors).length) return;
    await applying.send(async () => setDone(await orgApi.apply({ code: info.code, name: name.trim(), phone: phone.trim() })));
  };

  if (done) {
    const joined = !!done.member;
    return (
      <Page className='join' title='加入党支部'>
        <View className='card join-done' id='join-result'>
          <Text className='page-title'>{joined ? '已加入' : '已提交'}</Text>
          <Text className='text' id='join-result-text'>
            {joined ? `您已加入${done.application.branchName}。` : '申请已提交，等待支部书记审核。审核通过后即可参加支部学习和活动。'}
          </Text>
          <BigButton id='join-home' onClick={() => goTab('/pages/home/index')}>
            回到首页
          </BigButton>
        </View>
      </Page>
    );
  }

  return (
    <Page className='join' title='加入党支部'>
      <Text className='page-title'>加入党支部</Text>
      <View className='card'>
        <Text className='card-title'>第一步：输入邀请码</Text>
        <Text className='muted'>邀请码由支部书记提供，也可以扫描支部的二维码。</Text>
        <View className='field'>
          <Input
            id='join-code'
            className='field-input code-input'
            value={code}
            maxlength={8}
            placeholder='8 位邀请码'
            onInput={(e) => {
              setCode(e.detail.value.toUpperCase());
              setCodeError('');
            }}
            onConfirm={() => lookUp(code)}
          />
          {codeError ? <Text className='field-error' id='join-code-error'>{codeError}</Text> : null}
        </View>
        <BigButton id='join-lookup' busy={lookup.busy} onClick={() => lookUp(code)}>
          查看支部
        </BigButton>
        {process.env.TARO_ENV === 'weapp' ? (
          <BigButton id='join-scan' kind='default' onClick={scan}>
            扫一扫二维码
          </BigButton>
        ) : null}
        {lookup.error ? <ErrorState error={lookup.error} /> : null}
      </View>

      {info ? (
        <View className='card' id='join-branch'>
          <Text className='card-title'>第二步：确认支部并填写信息</Text>
          <Text className='branch-name' id='join-branch-name'>{info.branchName}</Text>
          <Text className='muted'>{info.pathNames.join(' / ')}</Text>
          <Text className='muted'>邀请码有效期至 {formatDate(info.expiresAt)}</Text>
          <View className='field form-first'>
            <Text className='field-label'>姓名</Text>
            <Input id='join-name' className='field-input' value={name} maxlength={20} placeholder='请填写真实姓名' onInput={(e) => setName(e.detail.value)} />
            {errors.name ? <Text className='field-error' id='join-name-error'>{errors.name}</Text> : null}
          </View>
          <View className='field'>
            <Text className='field-label'>手机号</Text>
            <Input id='join-phone' className='field-input' type='number' value={phone} maxlength={11} placeholder='11 位手机号' onInput={(e) => setPhone(e.detail.value)} />
            {errors.phone ? <Text className='field-error' id='join-phone-error'>{errors.phone}</Text> : null}
          </View>
          {applying.error ? <Text className='notice error' id='join-submit-error'>{applying.error.message}</Text> : null}
          <BigButton id='join-submit' busy={applying.busy} onClick={submit}>
            提交申请
          </BigButton>
        </View>
      ) : null}
    </Page>
  );
}
