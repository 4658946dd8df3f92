import { useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import { PRIVACY_AGREE_BUTTON_ID, privacyFlow, type PrivacyRequest } from './privacy';
import './privacy-sheet.scss';

/**
 * The sheet WeChat's privacy flow needs (src/platform/privacy.ts): what is asked and why, the
 * 《用户隐私保护指引》 (wx.openPrivacyContract shows the text declared in the console), and the two
 * answers. Agreement is only the agreePrivacyAuthorization button: WeChat ignores any other tap.
 * Rendered by every page on WeChat; nothing on H5.
 */
export function PrivacySheet() {
  const flow = privacyFlow();
  const [req, setReq] = useState<PrivacyRequest | null>(flow?.current() ?? null);
  useEffect(() => (flow ? flow.subscribe(setReq) : undefined), [flow]);
  useEffect(() => {
    if (req) flow?.shown();
  }, [req, flow]);
  if (!flow || !req) return null;
  return (
    <View className='privacy-sheet' id='privacy-sheet'>
      <View className='privacy-sheet-panel'>
        <Text className='card-title'>用户隐私保护提示</Text>
        <Text className='text'>为了{req.purpose}，需要您同意</Text>
        <Text className='link' id='privacy-contract' onClick={() => Taro.openPrivacyContract({ fail: () => undefined })}>
          《指尖党校用户隐私保护指引》
        </Text>
        <Text className='muted'>不同意也可以继续使用其他功能。</Text>
        <View className='actions'>
          <Button className='big-btn big-btn-plain big-btn-small' id='privacy-disagree' onClick={() => flow.disagree()}>
            不同意
          </Button>
          <Button className='big-btn big-btn-primary big-btn-small' id={PRIVACY_AGREE_BUTTON_ID} openType='agreePrivacyAuthorization' onAgreePrivacyAuthorization={() => flow.agree()}>
            同意并继续
          </Button>
        </View>
      </View>
    </View>
  );
}
