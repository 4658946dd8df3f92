import { orgInputs } from '../../core/org/contracts';

const message = (code: string) => {
  const r = orgInputs.inviteInfo.safeParse({ code });
  return r.success ? null : r.error.issues[0]?.message;
};

test('a code failing only for a look-alike character (0/1/I/O) says which ones', () => {
  expect(message('AB2OCD45')).toMatch(/不会有 0、1、I、O.*“O”/);
  expect(message('ab10cd45')).toMatch(/“1、0”/);
  expect(message('I1I1I1I1')).toMatch(/“I、1”/);
});

test('other bad codes keep the plain rule; good codes pass, whatever the case', () => {
  expect(message('O0O0')).toBe('邀请码是 8 位字母或数字');
  expect(message('AB2C-D45')).toBe('邀请码是 8 位字母或数字');
  expect(message('ab23cd45')).toBeNull();
  expect(orgInputs.inviteInfo.parse({ code: ' ab23cd45 ' }).code).toBe('AB23CD45');
});
