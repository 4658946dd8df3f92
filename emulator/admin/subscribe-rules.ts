/**
 * WeChat's rules for the values of a subscribe message (订阅消息 subscribeMessage.send, 参数值内容限制),
 * by keyword type: a keyword is its type followed by a number (`thing1`, `time2`). A value that
 * breaks its rule, an empty one or a keyword of no known type makes WeChat answer 47003
 * ("argument invalid! data.<key>.value invalid"), and the message is not sent.
 */
const HAN = /^[\u3400-\u9fff]+$/;
const HHMM = '(?:[01]?\\d|2[0-3]):[0-5]\\d';
const YMD = '\\d{4}年(?:0?[1-9]|1[0-2])月(?:0?[1-9]|[12]\\d|3[01])日';
const TIME = new RegExp(`^(?:(?:${YMD} )?${HHMM})(?:\\s*~\\s*(?:(?:${YMD} )?${HHMM}))?$`);
const DATE = new RegExp(`^(?:${YMD}(?: ${HHMM})?)(?:\\s*~\\s*(?:${YMD}(?: ${HHMM})?))?$`);

const len = (s: string) => [...s].length;

export const FIELD_RULES: Record<string, (v: string) => boolean> = {
  /** 事物: up to 20 characters of any kind */
  thing: (v) => len(v) <= 20,
  /** 数字: up to 32 digits, a decimal point allowed */
  number: (v) => len(v) <= 32 && /^\d+(?:\.\d+)?$/.test(v),
  /** 字母: up to 32 letters */
  letter: (v) => len(v) <= 32 && /^[A-Za-z]+$/.test(v),
  /** 符号: up to 5 symbols */
  symbol: (v) => len(v) <= 5 && /^[^\p{L}\p{N}\s]+$/u.test(v),
  /** 字符串: up to 32 letters, digits and symbols */
  character_string: (v) => len(v) <= 32 && /^[\x21-\x7e]+$/.test(v),
  /** 时间: 24-hour time, a date before it allowed (15:01, 2019年10月1日 15:01), a range with ~ */
  time: (v) => TIME.test(v),
  /** 日期: 年月日, a time after it allowed (2019年10月1日, 2019年10月1日 15:01), a range with ~ */
  date: (v) => DATE.test(v),
  /** 金额: a number with up to 2 decimals, 元 allowed after it */
  amount: (v) => len(v) <= 10 && /^[¥￥]?\d+(?:\.\d{1,2})?元?$/.test(v),
  /** 电话: up to 17 digits and symbols */
  phone_number: (v) => len(v) <= 17 && /^[\d+\-() ]+$/.test(v),
  /** 车牌: up to 8 characters */
  car_number: (v) => len(v) <= 8,
  /** 姓名: up to 10 Chinese characters or 20 letters */
  name: (v) => (HAN.test(v) ? len(v) <= 10 : len(v) <= 20 && /^[A-Za-z ·.]+$/.test(v)),
  /** 汉字: up to 5 Chinese characters */
  phrase: (v) => len(v) <= 5 && HAN.test(v),
};

/** The first keyword of `data` that breaks WeChat's rules, or undefined when every one passes. */
export function invalidField(data: unknown): string | undefined {
  if (!data || typeof data !== 'object' || Array.isArray(data) || !Object.keys(data).length) return 'data';
  for (const [key, raw] of Object.entries(data as Record<string, unknown>)) {
    const type = /^([a-z_]+?)\d+$/.exec(key)?.[1];
    const rule = type ? FIELD_RULES[type] : undefined;
    const value = raw && typeof raw === 'object' ? (raw as { value?: unknown }).value : undefined;
    if (!rule || typeof value !== 'string' || !value || !rule(value)) return key;
  }
  return undefined;
}
