/**
 * 主题党日 "7+1" (党员活动日): the district's checklist of seven fixed items plus the month's theme.
 * An organiser sets the items (and the themes of coming months) for their node; a branch's 主题党日
 * carries the list of its nearest level that set one, the secretary ticks items during the meeting
 * and the minutes show them. Pure: no SDK.
 */
import { z } from 'zod';
import '../fn/zod-messages';
import { AppError } from '../fn/errors';

export interface ChecklistItem {
  key: string;
  label: string;
}

/** The usual seven (金水区 “党员活动日” 7+1): what a 主题党日 does every month. */
export const DEFAULT_CHECKLIST: ChecklistItem[] = [
  { key: 'oath', label: '重温入党誓词' },
  { key: 'study', label: '集中学习' },
  { key: 'discuss', label: '交流研讨' },
  { key: 'volunteer', label: '志愿服务' },
  { key: 'dues', label: '缴纳党费' },
  { key: 'review', label: '民主评议' },
  { key: 'birthday', label: '过政治生日' },
];

/** The "+1": the month's theme, as the level above announced it (or a plain 当月主题活动). */
export const THEME_KEY = 'theme';

/** One level's setting (`activity_org_rules.checklist`). */
export interface ChecklistSetting {
  items: ChecklistItem[];
  /** `YYYY-MM` → the month's theme */
  themes: Record<string, string>;
}

/** The nearest level's list wins (settings ordered root first); themes fall back level by level. */
export function effectiveChecklist(settingsRootFirst: readonly (ChecklistSetting | null | undefined)[], month: string): ChecklistItem[] {
  let items = DEFAULT_CHECKLIST;
  let theme: string | null = null;
  for (const s of settingsRootFirst) {
    if (!s) continue;
    if (s.items?.length) items = s.items;
    if (s.themes?.[month]) theme = s.themes[month];
  }
  return [...items, { key: THEME_KEY, label: theme ? `当月主题：${theme}` : '当月主题活动' }];
}

export interface TickedItem extends ChecklistItem {
  done: boolean;
  at: Date | string | null;
  by: string | null;
}

/** The stored checklist of one 主题党日 (`activity_checklists`, `_id` = activity id). */
export type StoredChecklist = {
  _id: string;
  activityId: string;
  branchId: string;
  items: TickedItem[];
  updatedAt: Date | string;
};

export function newChecklist(activityId: string, branchId: string, items: readonly ChecklistItem[], now: Date): StoredChecklist {
  return { _id: activityId, activityId, branchId, items: items.map((i) => ({ ...i, done: false, at: null, by: null })), updatedAt: now };
}

/** One tick or untick; the same tick again changes nothing. */
export function tick(items: readonly TickedItem[], key: string, done: boolean, by: string, now: Date): { items: TickedItem[]; changed: boolean } {
  const it = items.find((i) => i.key === key);
  if (!it) throw new AppError('NOT_FOUND', '没有这一项议程，请刷新后再试');
  if (it.done === done) return { items: items.map((i) => ({ ...i })), changed: false };
  return { items: items.map((i) => (i.key === key ? { ...i, done, at: done ? now : null, by: done ? by : null } : { ...i })), changed: true };
}

const itemLabel = z.string({ required_error: '请填写议程名称' }).trim().min(2, '议程名称至少 2 个字').max(20, '议程名称最多 20 个字');

export const checklistInputs = {
  /** a 主题党日's checklist (created from the org's setting the first time it is read by its secretary) */
  checklist: z.object({ id: z.string().trim().min(1, '缺少编号').max(64) }).strict(),
  /** the host secretary ticks or unticks one item during the meeting */
  tickChecklist: z.object({ id: z.string().trim().min(1, '缺少编号').max(64), key: z.string().trim().min(1).max(24), done: z.boolean() }).strict(),
  /** the organiser sets the 7+1 items and the coming months' themes for their node */
  setChecklist: z
    .object({
      nodeId: z.string().trim().min(1).max(64).optional(),
      items: z.array(itemLabel).min(1, '至少保留 1 项议程').max(12, '议程最多 12 项'),
      themes: z.record(z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM'), z.string().trim().min(2, '当月主题至少 2 个字').max(30, '当月主题最多 30 个字')).default({}),
    })
    .strict()
    .refine((v) => new Set(v.items).size === v.items.length, { message: '议程名称不能重复', path: ['items'] }),
};

/** Items from labels: stable keys, so ticks survive a relabelled list only where the label stayed. */
export function itemsFromLabels(labels: readonly string[]): ChecklistItem[] {
  return labels.map((label) => DEFAULT_CHECKLIST.find((d) => d.label === label) ?? { key: `c-${hash(label)}`, label });
}

function hash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}

export interface ChecklistView {
  activityId: string;
  items: { key: string; label: string; done: boolean; at: string | null }[];
  done: number;
  total: number;
}

export const toChecklistView = (c: Pick<StoredChecklist, 'activityId' | 'items'>): ChecklistView => ({
  activityId: c.activityId,
  items: c.items.map((i) => ({ key: i.key, label: i.label, done: i.done, at: i.at ? new Date(i.at).toISOString() : null })),
  done: c.items.filter((i) => i.done).length,
  total: c.items.length,
});

export interface ChecklistOutputs {
  checklist: ChecklistView;
  tickChecklist: ChecklistView;
  setChecklist: { nodeId: string; items: ChecklistItem[]; themes: Record<string, string> };
}
