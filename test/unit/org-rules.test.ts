import type { CallerMember } from '../../core/fn/router';
import { dayOf } from '../../core/day';
import { AppError } from '../../core/fn/errors';
import { canSeePhone, maskPhone, phoneFor } from '../../core/org/phone';
import { canManageBranch, canMoveMember, canSeeHistory, canSetRole, isInSubtree, isSecretaryOf } from '../../core/org/scope';
import {
  assertInviteUsable,
  generateInviteCode,
  INVITE_ALPHABET,
  inviteState,
  invitePath,
  type StoredInvite,
} from '../../core/org/invite';
import {
  ageFromBirthYear,
  applicationConflict,
  applicationId,
  applyLimitId,
  CONFLICT_MESSAGES,
  countsTowardApplyLimit,
  fnv1a64,
  isElder,
  MEMBER_ID_RE,
  newMemberId,
  toApplicationView,
  toMemberView,
} from '../../core/org/member';
import { inviteCode } from '../../core/org/contracts';

const who = (over: Partial<CallerMember>): CallerMember => ({
  _id: 'm1',
  name: '张三',
  role: 'member',
  status: 'active',
  branchId: 'b1',
  path: ['d', 's', 'c', 'b1'],
  ...over,
});

describe('maskPhone', () => {
  it('keeps the first 3 and last 4 digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
  });
  it('hides anything that is not an 11-digit number entirely', () => {
    expect(maskPhone('12345')).toBe('*****');
    expect(maskPhone('')).toBe('');
    expect(maskPhone(null)).toBe('');
  });
});

describe('phone visibility', () => {
  const target = { _id: 'm9', branchId: 'b1', phone: '13812345678' };
  it('the member themselves sees it', () => {
    expect(phoneFor(who({ _id: 'm9' }), target)).toBe('13812345678');
  });
  it('the secretary of the member’s branch sees it', () => {
    expect(canSeePhone(who({ role: 'secretary' }), target)).toBe(true);
  });
  it('another member of the same branch, another branch’s secretary and an organiser do not', () => {
    expect(phoneFor(who({}), target)).toBe('138****5678');
    expect(phoneFor(who({ role: 'secretary', branchId: 'b2' }), target)).toBe('138****5678');
    expect(phoneFor(who({ role: 'organiser', scopeId: 'd', branchId: 'b0' }), target)).toBe('138****5678');
  });
  it('a member who has left sees nothing', () => {
    expect(canSeePhone(who({ role: 'secretary', status: 'left' }), target)).toBe(false);
    expect(canSeePhone(null, target)).toBe(false);
  });
});

describe('scope', () => {
  it('isInSubtree looks for the node in the path', () => {
    expect(isInSubtree(['d', 's', 'c', 'b1'], 's')).toBe(true);
    expect(isInSubtree(['d', 's', 'c', 'b1'], 'b1')).toBe(true);
    expect(isInSubtree(['d', 's', 'c', 'b1'], 's2')).toBe(false);
    expect(isInSubtree(['d'], null)).toBe(false);
    expect(isInSubtree(undefined, 'd')).toBe(false);
  });
  const branch = { _id: 'b1', path: ['d', 's', 'c'] };
  it('a branch is managed by its own secretary and organisers above it', () => {
    expect(canManageBranch(who({ role: 'secretary' }), branch)).toBe(true);
    expect(canManageBranch(who({ role: 'secretary', branchId: 'b2' }), branch)).toBe(false);
    expect(canManageBranch(who({ role: 'organiser', scopeId: 's', branchId: 'bx' }), branch)).toBe(true);
    expect(canManageBranch(who({ role: 'organiser', scopeId: 's2', branchId: 'bx' }), branch)).toBe(false);
    expect(canManageBranch(who({ role: 'member' }), branch)).toBe(false);
  });
  it('an organiser without a scope manages nothing', () => {
    expect(canManageBranch(who({ role: 'organiser', scopeId: null }), branch)).toBe(false);
  });
  const member = { _id: 'm9', branchId: 'b1', path: ['d', 's', 'c', 'b1'] };
  it('moves: the current branch’s secretary or an organiser over it', () => {
    expect(canMoveMember(who({ role: 'secretary' }), member)).toBe(true);
    expect(canMoveMember(who({ role: 'secretary', branchId: 'b2' }), member)).toBe(false);
    expect(canMoveMember(who({ role: 'organiser', scopeId: 'c' }), member)).toBe(true);
    expect(canMoveMember(who({}), member)).toBe(false);
  });
  it('history: also the member themselves', () => {
    expect(canSeeHistory(who({ _id: 'm9' }), member)).toBe(true);
    expect(canSeeHistory(who({ _id: 'm8' }), member)).toBe(false);
  });
  it('roles are set by organisers only', () => {
    expect(canSetRole(who({ role: 'organiser', scopeId: 'd' }), member)).toBe(true);
    expect(canSetRole(who({ role: 'secretary' }), member)).toBe(false);
    expect(isSecretaryOf(who({ role: 'secretary', status: 'left' }), 'b1')).toBe(false);
  });
});

describe('invites', () => {
  const now = new Date('2025-06-01T08:00:00Z');
  const base: StoredInvite = {
    _id: 'ABCD2345',
    branchId: 'b1',
    branchName: '第一党支部',
    createdAt: now,
    expiresAt: new Date(now.getTime() + 3600_000),
    maxUses: 2,
    uses: 0,
    revoked: false,
  };
  it('generates 8 symbols from the unambiguous alphabet, accepted by the contract', () => {
    let n = 0;
    const bytes = (size: number) => Uint8Array.from({ length: size }, () => (n = (n * 97 + 13) & 255));
    for (let i = 0; i < 50; i++) {
      const code = generateInviteCode(bytes);
      expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
      expect(inviteCode.parse(code.toLowerCase())).toBe(code);
    }
    expect(INVITE_ALPHABET).toHaveLength(32);
    expect(generateInviteCode(() => new Uint8Array(8).fill(255))).toBe('99999999');
    expect(generateInviteCode(() => new Uint8Array(8))).toBe('AAAAAAAA');
  });
  it('path is the join page', () => {
    expect(invitePath('ABCD2345')).toBe('pages/org/join/index?code=ABCD2345');
  });
  it('states: valid, expired at the expiry instant, revoked first, used up', () => {
    expect(inviteState(base, now)).toBe('valid');
    expect(inviteState(base, new Date(now.getTime() + 3600_000))).toBe('expired');
    expect(inviteState({ ...base, revoked: true, uses: 9 }, now)).toBe('revoked');
    expect(inviteState({ ...base, uses: 2 }, now)).toBe('used_up');
  });
  it('assertInviteUsable throws the errors a guest sees', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as AppError;
      }
      throw new Error('did not throw');
    };
    expect(err(() => assertInviteUsable(null, now)).code).toBe('NOT_FOUND');
    const expired = err(() => assertInviteUsable({ ...base, expiresAt: new Date(now.getTime() - 1) }, now));
    expect(expired.code).toBe('FAILED_PRECONDITION');
    expect(expired.message).toBe('邀请码已过期，请向支部书记索取新的邀请码');
    expect(err(() => assertInviteUsable({ ...base, revoked: true }, now)).message).toContain('撤销');
    expect(err(() => assertInviteUsable({ ...base, uses: 2 }, now)).message).toContain('已满');
    expect(assertInviteUsable(base, now)).toBe(base);
  });
});

describe('members', () => {
  const now = new Date('2025-06-01T00:00:00Z');
  it('age from birth year, elder from 60', () => {
    expect(ageFromBirthYear(1960, now)).toBe(65);
    expect(ageFromBirthYear(undefined, now)).toBeUndefined();
    expect(ageFromBirthYear(2030, now)).toBeUndefined();
    expect(isElder(1965, now)).toBe(true);
    expect(isElder(1966, now)).toBe(false);
  });
  it('member ids are 128 random bits, taken from the random source and nothing else', () => {
    const bytes = Uint8Array.from({ length: 16 }, (_v, i) => i * 17);
    expect(newMemberId(() => bytes)).toBe('m_00112233445566778899aabbccddeeff');
    expect(newMemberId(() => bytes)).toMatch(MEMBER_ID_RE);
    expect(() => newMemberId(() => new Uint8Array(8))).toThrow();
    // FNV-1a 64 (lesson ids) keeps its reference values
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
  });
  it('application ids are one per person per branch', () => {
    expect(applicationId('b1', 'o1')).toBe('b1:o1');
  });
  it('member view masks the phone for a viewer who may not see it', () => {
    const doc = {
      _id: 'm9',
      name: '李秀英',
      phone: '13987654321',
      openid: null,
      branchId: 'b1',
      path: ['d', 'b1'],
      role: 'member' as const,
      status: 'active' as const,
      birthYear: 1950,
    };
    const v = toMemberView(doc, who({ _id: 'm2' }), now, '第一党支部');
    expect(v).toEqual({
      id: 'm9',
      name: '李秀英',
      phone: '139****4321',
      branchId: 'b1',
      branchName: '第一党支部',
      role: 'member',
      status: 'active',
      bound: false,
    });
    expect(toMemberView(doc, who({ role: 'secretary' }), now)).toMatchObject({ phone: '13987654321', age: 75 });
  });
});

describe('applications: daily limit and conflicts', () => {
  it('counts a new application, a changed one and re-opening a rejected one; not the same request again', () => {
    const input = { name: '张三', phone: '13812345678' };
    expect(countsTowardApplyLimit(null, input)).toBe(true);
    expect(countsTowardApplyLimit({ ...input, status: 'pending' }, input)).toBe(false);
    expect(countsTowardApplyLimit({ ...input, status: 'pending' }, { ...input, phone: '13812345679' })).toBe(true);
    expect(countsTowardApplyLimit({ ...input, status: 'pending' }, { ...input, name: '张四' })).toBe(true);
    expect(countsTowardApplyLimit({ ...input, status: 'rejected' }, input)).toBe(true);
  });

  it('the day is China time, whatever the server clock', () => {
    expect(dayOf(new Date('2025-06-01T15:59:59Z'))).toBe('2025-06-01');
    expect(dayOf(new Date('2025-06-01T16:00:00Z'))).toBe('2025-06-02');
    expect(applyLimitId('o1', '2025-06-02')).toBe('o1:2025-06-02');
  });

  it('a conflict is what approving would run into: an active member elsewhere, or another WeChat', () => {
    const app = { branchId: 'b1', openid: 'o1' };
    expect(applicationConflict(app, null)).toBeNull();
    expect(applicationConflict(app, { branchId: 'b2', status: 'active', openid: null })).toBe('other_branch');
    expect(applicationConflict(app, { branchId: 'b2', status: 'left', openid: null })).toBeNull();
    expect(applicationConflict(app, { branchId: 'b1', status: 'active', openid: 'o2' })).toBe('bound_elsewhere');
    expect(applicationConflict(app, { branchId: 'b1', status: 'active', openid: 'o1' })).toBeNull();
  });

  it('only the view built for the secretary carries the conflict', () => {
    const doc = {
      _id: 'b1:o1',
      branchId: 'b1',
      branchName: '第一党支部',
      openid: 'o1',
      name: '张三',
      phone: '13812345678',
      inviteCode: 'ABCDEFGH',
      status: 'pending' as const,
      createdAt: new Date('2025-06-01T00:00:00Z'),
    };
    expect(toApplicationView(doc).conflict).toBeUndefined();
    expect(toApplicationView(doc, 'other_branch').conflict).toEqual({ kind: 'other_branch', message: CONFLICT_MESSAGES.other_branch });
  });
});
