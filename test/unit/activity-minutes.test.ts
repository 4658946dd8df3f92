/**
 * 会议记录 rules (core/activity/minutes.ts) and the 主题党日 7+1 checklist (checklist.ts): upload
 * folders, what counts as a photo, the edit window and its reason, versions kept, the input rules.
 */
import {
  MAX_PHOTO_BYTES,
  assertMinutesOpen,
  bodyOf,
  attachmentType,
  checkUploadBytes,
  MAX_ATTACHMENT_BYTES,
  editReason,
  isOwnUpload,
  minutesInputs,
  sameBody,
  sniffImage,
  uploadDir,
  uploadId,
  versionOf,
  type StoredMinutes,
} from '../../core/activity/minutes';
import { DEFAULT_CHECKLIST, effectiveChecklist, itemsFromLabels, newChecklist, tick, checklistInputs } from '../../core/activity/checklist';
import { drawMeetingPhoto } from '../../seed/activity-year';

const png = drawMeetingPhoto(1, 64);
const jpegHead = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);

describe('uploads', () => {
  test('only a file directly in the caller’s own folder of that kind', () => {
    const dir = uploadDir('photo', 'oABC-1');
    expect(dir).toBe('activity-photos/oABC-1/');
    expect(isOwnUpload(`cloud://env.bucket/${dir}1.jpg`, 'photo', 'oABC-1')).toBe(true);
    expect(isOwnUpload(`cloud://env.bucket/${dir}1.jpg`, 'photo', 'oOther')).toBe(false);
    expect(isOwnUpload(`cloud://env.bucket/${dir}1.jpg`, 'file', 'oABC-1')).toBe(false);
    expect(isOwnUpload(`cloud://env.bucket/${dir}sub/1.jpg`, 'photo', 'oABC-1')).toBe(false);
    expect(isOwnUpload(`cloud://env.bucket/${dir}../oOther/1.jpg`, 'photo', 'oABC-1')).toBe(false);
    expect(isOwnUpload(`cloud://env.bucket/${dir}`, 'photo', 'oABC-1')).toBe(false);
  });
  test('a photo is judged by its bytes, not its name; too big or not an image is refused in Chinese', () => {
    expect(sniffImage(png)).toBe('png');
    expect(sniffImage(jpegHead)).toBe('jpeg');
    expect(sniffImage(Buffer.from('PK\x03\x04 not an image'))).toBeNull();
    expect(checkUploadBytes('photo', png).image).toBe('png');
    expect(() => checkUploadBytes('photo', Buffer.from('hello, this is text'))).toThrow('这不是一张图片');
    const big = Buffer.concat([jpegHead, Buffer.alloc(MAX_PHOTO_BYTES)]);
    expect(() => checkUploadBytes('photo', big)).toThrow(/照片太大（2 MB），每张不能超过 2 MB/);
    expect(() => checkUploadBytes('photo', Buffer.alloc(0))).toThrow('文件是空的');
  });
  test('an attachment is a PDF, Word, Excel or PPT file whose bytes are what its name says', () => {
    const dir = 'activity-files/o1/';
    expect(checkUploadBytes('file', Buffer.from('%PDF-1.4 …'), `${dir}1.pdf`).image).toBeNull();
    expect(checkUploadBytes('file', Buffer.from('PK\x03\x04 word/document.xml', 'latin1'), `${dir}1.DOCX`).image).toBeNull();
    expect(checkUploadBytes('file', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]), `${dir}1.xls`).image).toBeNull();
    expect(attachmentType('会议材料.pptx')).toBe('pptx');
    expect(attachmentType('签到表.jpg')).toBeNull();
    // a program renamed to .pdf, a text file, a picture: refused in Chinese
    expect(() => checkUploadBytes('file', Buffer.from('MZ\x90\x00', 'latin1'), `${dir}1.pdf`)).toThrow('附件只能是 PDF、Word、Excel 或 PPT 文件');
    expect(() => checkUploadBytes('file', Buffer.from('%PDF-1.4'), `${dir}1.exe`)).toThrow('附件只能是');
    expect(() => checkUploadBytes('file', png, `${dir}1.png`)).toThrow('附件只能是');
    expect(() => checkUploadBytes('file', Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(MAX_ATTACHMENT_BYTES)]), `${dir}1.pdf`)).toThrow(/附件太大/);
  });
  test('upload ids are short, stable and differ for different files', () => {
    const a = uploadId('cloud://env.bucket/activity-photos/o1/1700000000000-1.jpg');
    expect(a).toBe(uploadId('cloud://env.bucket/activity-photos/o1/1700000000000-1.jpg'));
    expect(a).not.toBe(uploadId('cloud://env.bucket/activity-photos/o1/1700000000000-2.jpg'));
    expect(a.length).toBeLessThanOrEqual(64);
  });
});

describe('when minutes may be written and changed', () => {
  const now = new Date('2026-03-20T02:00:00Z');
  test('from the start of a published activity; never for a draft, a cancelled one or before the start', () => {
    expect(() => assertMinutesOpen({ status: 'published', startAt: '2026-03-20T01:00:00Z' }, now)).not.toThrow();
    expect(() => assertMinutesOpen({ status: 'published', startAt: '2026-03-20T03:00:00Z' }, now)).toThrow('活动还没有开始');
    expect(() => assertMinutesOpen({ status: 'draft', startAt: '2026-03-01T00:00:00Z' }, now)).toThrow('活动尚未发布');
    expect(() => assertMinutesOpen({ status: 'cancelled', startAt: '2026-03-01T00:00:00Z' }, now)).toThrow('活动已取消');
  });
  test('7 days after the end a change needs a reason; the first record never does', () => {
    const endAt = '2026-03-10T03:00:00Z';
    expect(editReason(endAt, new Date('2026-03-17T02:59:00Z'), undefined, false)).toBeNull();
    expect(() => editReason(endAt, new Date('2026-03-17T03:01:00Z'), undefined, false)).toThrow('修改会议记录须填写修改原因');
    expect(() => editReason(endAt, new Date('2026-03-17T03:01:00Z'), ' 。 ', false)).toThrow('修改原因');
    expect(editReason(endAt, new Date('2026-03-17T03:01:00Z'), '补充决议第二条', false)).toBe('补充决议第二条');
    expect(editReason(endAt, new Date('2026-06-01T00:00:00Z'), undefined, true)).toBeNull();
  });
});

describe('versions', () => {
  const cur: StoredMinutes = {
    _id: 'a1', activityId: 'a1', branchId: 'b1', path: ['d1', 'b1'], type: 'committee', title: '3月支委会', startAt: '2026-03-04T11:00:00Z',
    hostId: 'm1', hostName: '刘书记', recorderId: 'm2', recorderName: '王委员', topics: '研究本月组织生活安排', resolutions: '确定主题党日时间',
    photos: [{ fileID: 'f1', bytes: 10 }, { fileID: 'f2', bytes: 10 }], attachments: [], checklist: null, version: 3,
    createdAt: '2026-03-05T00:00:00Z', createdBy: 'm1', updatedAt: '2026-03-06T00:00:00Z', updatedBy: 'm1', updatedByName: '刘书记',
  };
  test('the version kept is the replaced one, with who saved it and who replaced it, when and why', () => {
    const v = versionOf(cur, { id: 'm9', name: '新书记' }, '更正决议', new Date('2026-04-01T00:00:00Z'));
    expect(v).toMatchObject({ _id: 'a1:v3', version: 3, topics: cur.topics, savedBy: 'm1', savedAt: cur.updatedAt, replacedBy: 'm9', replacedByName: '新书记', reason: '更正决议' });
    expect(v.photos).toEqual(cur.photos);
  });
  test('the same record sent again is not a change; another photo or word is', () => {
    expect(sameBody(bodyOf(cur), { ...bodyOf(cur), hostName: '（名字不比较）' })).toBe(true);
    expect(sameBody(bodyOf(cur), { ...bodyOf(cur), resolutions: '确定主题党日时间。' })).toBe(false);
    expect(sameBody(bodyOf(cur), { ...bodyOf(cur), photos: [...cur.photos].reverse() })).toBe(false);
  });
});

describe('input', () => {
  const base = { id: 'a1', hostId: 'm1', recorderId: 'm2', topics: '研究本月组织生活安排', resolutions: '确定主题党日时间', photos: ['cloud://e.b/activity-photos/o/1.jpg', 'cloud://e.b/activity-photos/o/2.jpg'] };
  const msg = (v: unknown) => {
    const r = minutesInputs.saveMinutes.safeParse(v);
    return r.success ? null : r.error.issues[0].message;
  };
  test('2–9 distinct photos, text of 5 to 5,000 characters', () => {
    expect(msg(base)).toBeNull();
    expect(msg({ ...base, photos: base.photos.slice(0, 1) })).toBe('请至少上传 2 张现场照片');
    expect(msg({ ...base, photos: Array.from({ length: 10 }, (_, i) => `cloud://e.b/activity-photos/o/${i}.jpg`) })).toBe('现场照片最多 9 张');
    expect(msg({ ...base, photos: [base.photos[0], base.photos[0]] })).toBe('有重复的照片，请删除后再保存');
    expect(msg({ ...base, topics: '开会' })).toBe('会议内容（议题）至少 5 个字');
    expect(msg({ ...base, resolutions: '决'.repeat(5001) })).toBe('会议决议最多 5000 个字');
  });
});

describe('主题党日 7+1', () => {
  test('the usual seven plus the month’s theme; the nearest level’s list and theme win', () => {
    expect(effectiveChecklist([], '2026-03').map((i) => i.label)).toEqual([...DEFAULT_CHECKLIST.map((d) => d.label), '当月主题活动']);
    const district = { items: itemsFromLabels(['重温入党誓词', '集中学习']), themes: { '2026-03': '学雷锋志愿服务' } };
    const street = { items: [], themes: { '2026-04': '清明祭英烈' } };
    const l = effectiveChecklist([district, street], '2026-03');
    expect(l.map((i) => i.label)).toEqual(['重温入党誓词', '集中学习', '当月主题：学雷锋志愿服务']);
    expect(l[0].key).toBe('oath');
    expect(effectiveChecklist([district, street], '2026-04').at(-1)!.label).toBe('当月主题：清明祭英烈');
  });
  test('ticking one item marks who and when; the same tick again changes nothing; an unknown item is refused', () => {
    const c = newChecklist('a1', 'b1', effectiveChecklist([], '2026-03'), new Date('2026-03-12T01:00:00Z'));
    const t = tick(c.items, 'oath', true, 'm1', new Date('2026-03-12T01:10:00Z'));
    expect(t.changed).toBe(true);
    expect(t.items.find((i) => i.key === 'oath')).toMatchObject({ done: true, by: 'm1' });
    expect(tick(t.items, 'oath', true, 'm2', new Date()).changed).toBe(false);
    expect(tick(t.items, 'oath', false, 'm1', new Date()).items.find((i) => i.key === 'oath')).toMatchObject({ done: false, by: null, at: null });
    expect(() => tick(c.items, 'nope', true, 'm1', new Date())).toThrow('没有这一项议程');
  });
  test('an organiser’s list: 1–12 distinct items of 2–20 characters', () => {
    const bad = (v: unknown) => {
      const r = checklistInputs.setChecklist.safeParse(v);
      return r.success ? null : r.error.issues[0].message;
    };
    expect(bad({ items: ['重温入党誓词', '集中学习'] })).toBeNull();
    expect(bad({ items: ['重温入党誓词', '重温入党誓词'] })).toBe('议程名称不能重复');
    expect(bad({ items: [] })).toBe('至少保留 1 项议程');
  });
});
