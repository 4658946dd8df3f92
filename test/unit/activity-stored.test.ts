import { activityBody, newActivityDoc, newActivityRead, newAttendance, type ActivityFields } from '../../core/activity/stored';
import { attendanceId, jointInvitesOf, phaseOf } from '../../core/activity/rules';
import { activityDoc } from '../fixtures/activity';

const MIN = 60_000;
const now = new Date('2026-05-01T02:00:00Z');
const startAt = new Date('2026-05-03T06:30:00Z');
const fields = (over: Partial<ActivityFields> = {}): ActivityFields => ({
  type: 'theme_day',
  title: '主题党日',
  agenda: '重温入党誓词',
  startAt,
  endAt: new Date(startAt.getTime() + 120 * MIN),
  place: { name: '党群服务中心', address: '文化路 88 号', lat: 34.79, lng: 113.66 },
  openBeforeMin: 30,
  closeAfterMin: 45,
  geofenceRadiusM: null,
  studyMinutes: 90,
  makeUpText: '',
  makeUpLessonId: null,
  ...over,
});
const host = { branchId: 'b-1', branchName: '一支部', path: ['root', 'c-1'], secretaryId: 'm-sec', secretaryName: '王书记' };

describe('activityBody', () => {
  test('the sign-in window follows the start and the minutes before and after', () => {
    const b = activityBody(fields(), now);
    expect(b.signInOpenAt.toISOString()).toBe('2026-05-03T06:00:00.000Z');
    expect(b.signInCloseAt.toISOString()).toBe('2026-05-03T07:15:00.000Z');
    expect(b.updatedAt).toBe(now);
  });

  test('a geofence needs both a radius and the place’s map point', () => {
    expect(activityBody(fields({ geofenceRadiusM: 200 }), now).geofence).toEqual({ lat: 34.79, lng: 113.66, radiusM: 200 });
    expect(activityBody(fields(), now).geofence).toBeNull();
    expect(activityBody(fields({ geofenceRadiusM: 200, place: { name: '党群服务中心', address: '' } }), now).geofence).toBeNull();
  });
});

describe('newActivityDoc', () => {
  test('a draft of the host branch with pending 联建 invitations and nobody rostered yet', () => {
    const a = newActivityDoc({ id: 'a1', fields: fields(), host, groupId: null, joint: [{ id: 'b-2', name: '二支部' }], now });
    expect(a).toMatchObject({
      _id: 'a1',
      status: 'draft',
      rev: 0,
      hostBranchId: 'b-1',
      hostBranchName: '一支部',
      hostPath: ['root', 'c-1', 'b-1'],
      hostName: '王书记',
      createdBy: 'm-sec',
      branchIds: ['b-1'],
      jointBranchIds: ['b-2'],
      inviteRev: 0,
      roster: [],
      changes: [],
      finalisedAt: null,
      closing: false,
      counts: null,
      awardedAt: null,
      publishedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    expect(jointInvitesOf(a)).toEqual([{ branchId: 'b-2', name: '二支部', status: 'pending', at: null, by: null }]);
    expect(phaseOf(a, now)).toBe('draft');
  });

  test('patch sets a later state over the defaults', () => {
    const roster = [{ id: 'm1', name: '张三', branchId: 'b-1' }];
    const a = newActivityDoc({ id: 'a2', fields: fields(), host, now }, { status: 'published', rev: 1, roster, publishedAt: now });
    expect(a).toMatchObject({ status: 'published', rev: 1, roster, publishedAt: now, groupId: null, jointBranchIds: [], joint: [] });
    expect(phaseOf(a, new Date(startAt.getTime() - 10 * MIN))).toBe('signin');
  });

  test('the test fixture is the same document shape the function stores', () => {
    const fixture = activityDoc({ id: 'a3', branch: { _id: 'b-1', name: '一支部', path: ['root', 'c-1'] }, roster: [], startAt });
    const stored = newActivityDoc({ id: 'a3', fields: fields(), host, now });
    expect(Object.keys(fixture).sort()).toEqual(Object.keys(stored).sort());
    expect(fixture).toMatchObject({ status: 'published', rev: 1, hostPath: ['root', 'c-1', 'b-1'], branchIds: ['b-1'] });
  });
});

describe('newAttendance and newActivityRead', () => {
  const m = { id: 'm1', name: '张三', branchId: 'b-1' };
  test('an attendance record has the deterministic id and copies who and when; patch says what happened', () => {
    const r = newAttendance({ _id: 'a1', startAt }, m, now, { status: 'leave_pending', leaveReason: '出差' });
    expect(r).toMatchObject({ _id: attendanceId('a1', 'm1'), activityId: 'a1', memberId: 'm1', memberName: '张三', branchId: 'b-1', startAt });
    expect(r).toMatchObject({ status: 'leave_pending', leaveReason: '出差', method: null, madeUpAt: null, history: [], updatedAt: now });
    expect(newAttendance({ _id: 'a1', startAt }, m, now, {}).status).toBe('present');
  });

  test('a read receipt shares the record’s id and keeps the revision read', () => {
    expect(newActivityRead({ _id: 'a1', rev: 3 }, m, now)).toEqual({ _id: attendanceId('a1', 'm1'), activityId: 'a1', memberId: 'm1', name: '张三', rev: 3, at: now });
  });
});
