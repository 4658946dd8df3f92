/**
 * Chinese wording for zod's built-in messages. The app shows an INVALID_ARGUMENT message to the person
 * holding the phone, and a schema without its own message (a wrong type, an unknown enum value, a
 * missing field) would otherwise answer in English, e.g. "Expected string, received number".
 * Messages written on a schema still win: zod uses this map only where none was given.
 *
 * Importing this module installs the map for the zod instance it shares with the importer; every
 * contracts file imports it, so every function bundle and the app's forms get it.
 */
import { z, ZodIssueCode, type ZodErrorMap } from 'zod';

const TYPE_LABEL: Record<string, string> = {
  string: '文字',
  number: '数字',
  integer: '整数',
  bigint: '整数',
  boolean: '是或否',
  date: '日期',
  array: '列表',
  object: '对象',
};

export const zodMessagesZh: ZodErrorMap = (issue, ctx) => {
  switch (issue.code) {
    case ZodIssueCode.invalid_type:
      if (issue.received === 'undefined') return { message: '缺少必填内容' };
      return { message: TYPE_LABEL[issue.expected] ? `格式不对，应为${TYPE_LABEL[issue.expected]}` : '格式不对' };
    case ZodIssueCode.invalid_literal:
    case ZodIssueCode.invalid_enum_value:
    case ZodIssueCode.invalid_union:
    case ZodIssueCode.invalid_union_discriminator:
      return { message: '不是可选的值' };
    case ZodIssueCode.unrecognized_keys:
      return { message: '包含无法识别的内容' };
    case ZodIssueCode.invalid_date:
      return { message: '日期无效' };
    case ZodIssueCode.invalid_string:
      return { message: '格式不对' };
    case ZodIssueCode.too_small:
      if (issue.type === 'string') return { message: `至少 ${Number(issue.minimum)} 个字` };
      if (issue.type === 'array' || issue.type === 'set') return { message: `至少 ${Number(issue.minimum)} 项` };
      return { message: issue.inclusive ? `不能小于 ${Number(issue.minimum)}` : `应大于 ${Number(issue.minimum)}` };
    case ZodIssueCode.too_big:
      if (issue.type === 'string') return { message: `最多 ${Number(issue.maximum)} 个字` };
      if (issue.type === 'array' || issue.type === 'set') return { message: `最多 ${Number(issue.maximum)} 项` };
      return { message: issue.inclusive ? `不能大于 ${Number(issue.maximum)}` : `应小于 ${Number(issue.maximum)}` };
    case ZodIssueCode.not_multiple_of:
    case ZodIssueCode.not_finite:
      return { message: '数值不对' };
    default:
      return { message: ctx.defaultError && /[\u4e00-\u9fff]/.test(ctx.defaultError) ? ctx.defaultError : '输入有误' };
  }
};

z.setErrorMap(zodMessagesZh);
