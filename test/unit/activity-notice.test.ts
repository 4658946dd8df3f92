import { isUnread, noticeBadge, visibleToMember, type BadgeItem } from '../../core/activity/notice';

const item = (over: Partial<BadgeItem> = {}): BadgeItem => ({ status: 'published', phase: 'upcoming', unread: false, required: true, mine: null, ...over });

describe('notice list', () => {
  test('a 党小组会 is shown only to its roster; other notices to the whole branch', () => {
    const roster = [{ id: 'm1' }, { id: 'm2' }];
    expect(visibleToMember({ groupId: 'g-1', roster }, 'm1')).toBe(true);
    expect(visibleToMember({ groupId: 'g-1', roster }, 'm3')).toBe(false);
    expect(visibleToMember({ groupId: null, roster }, 'm3')).toBe(true);
    expect(visibleToMember({ groupId: null, roster: [] }, 'm3')).toBe(true);
  });

  test('unread: never opened, or a newer revision than the one read; a draft never', () => {
    expect(isUnread({ status: 'published', rev: 1 }, undefined)).toBe(true);
    expect(isUnread({ status: 'published', rev: 1 }, 1)).toBe(false);
    expect(isUnread({ status: 'published', rev: 3 }, 2)).toBe(true);
    expect(isUnread({ status: 'cancelled', rev: 2 }, 1)).toBe(true);
    expect(isUnread({ status: 'draft', rev: 0 }, undefined)).toBe(false);
    expect(isUnread({ status: 'draft', rev: 5 }, undefined)).toBe(false);
  });
});

describe('noticeBadge: the number on the home card', () => {
  test('counts unread published notices that have not closed', () => {
    expect(noticeBadge([item({ unread: true }), item({ unread: true, phase: 'signin', mine: {} })])).toBe(2);
    expect(noticeBadge([item({ unread: false })])).toBe(0);
  });

  test('counts an open sign-in the member must attend and has no record for, read or not', () => {
    expect(noticeBadge([item({ phase: 'signin' })])).toBe(1);
    // signed in (or asked for leave): nothing to do
    expect(noticeBadge([item({ phase: 'signin', mine: { status: 'present' } })])).toBe(0);
    // not required (a 联建 notice the member only reads)
    expect(noticeBadge([item({ phase: 'signin', required: false })])).toBe(0);
    // upcoming and read: nothing to do yet
    expect(noticeBadge([item({ phase: 'upcoming' })])).toBe(0);
  });

  test('closed, cancelled and draft notices never count', () => {
    expect(noticeBadge([item({ phase: 'closed', unread: true }), item({ status: 'cancelled', phase: 'cancelled', unread: true }), item({ status: 'draft', phase: 'draft', unread: true })])).toBe(0);
    expect(noticeBadge([])).toBe(0);
  });

  test('each notice counts once, whether unread, owed or both', () => {
    expect(noticeBadge([item({ phase: 'signin', unread: true }), item({ phase: 'signin' }), item({ unread: true }), item({ phase: 'closed' })])).toBe(3);
  });
});
