/**
 * The product's subscribe-message values against WeChat's keyword rules (the emulator answers 47003
 * for any value that breaks them): the time and date helpers, and every rule on values at its edge.
 */
import { invalidField } from '../../emulator/admin/subscribe-rules';
import { reminderData } from '../../core/quiz/config';
import { subscribeDate, subscribeMessage, subscribeTime } from '../../core/subscribe/templates';

test('time and date values are written the way WeChat accepts them, in China time', () => {
  expect(subscribeTime(new Date('2024-07-01T01:05:00Z'))).toBe('2024年7月1日 09:05');
  expect(subscribeTime('2024-12-31T16:30:00Z')).toBe('2025年1月1日 00:30');
  expect(subscribeDate('2024-07-01')).toBe('2024年7月1日');
  expect(invalidField({ time2: { value: subscribeTime(new Date()) } })).toBeUndefined();
  expect(invalidField(subscribeMessage('quizRemind', reminderData('2024-07-01', '馨怡家园社区第一党支部')).data)).toBeUndefined();
});

test('each keyword rule refuses what WeChat refuses', () => {
  expect(invalidField({ time2: { value: '2024-07-01T01:00:00.000Z' } })).toBe('time2');
  expect(invalidField({ time2: { value: '15:01' } })).toBeUndefined();
  expect(invalidField({ thing1: { value: '一'.repeat(20) } })).toBeUndefined();
  expect(invalidField({ thing1: { value: '一'.repeat(21) } })).toBe('thing1');
  expect(invalidField({ thing1: { value: '' } })).toBe('thing1');
  expect(invalidField({ number2: { value: '12.5' } })).toBeUndefined();
  expect(invalidField({ number2: { value: '12 学时' } })).toBe('number2');
  expect(invalidField({ phrase3: { value: '已完成' } })).toBeUndefined();
  expect(invalidField({ phrase3: { value: '六个汉字不行' } })).toBe('phrase3');
  expect(invalidField({ name4: { value: '张三' } })).toBeUndefined();
  expect(invalidField({ name4: { value: '十一个汉字的名字太长了吧' } })).toBe('name4');
  expect(invalidField({ date5: { value: '2024-07-01' } })).toBe('date5');
  expect(invalidField({ mystery1: { value: 'x' } })).toBe('mystery1');
});
