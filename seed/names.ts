/** Deterministic PRNG and Chinese name / phone generators for seed data. */

/** mulberry32: small, fast, good enough for demo data; same seed → same sequence everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;

export const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
export const pick = <T>(r: Rand, list: readonly T[]): T => list[Math.floor(r() * list.length)];

// Roughly by frequency in Henan: the common ones appear several times.
const SURNAMES = (
  '王王王王李李李李张张张张刘刘刘陈陈杨杨赵赵黄周吴徐孙胡朱高林何郭郭马马罗梁宋郑郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文牛申翟范'
).split('');

// Given names by generation: older members carry the names of their era.
const ELDER_MALE = ['建国', '国庆', '建华', '卫国', '建军', '振华', '国强', '志刚', '保国', '援朝', '胜利', '跃进', '红旗', '德明', '文斌', '永福', '长顺', '金海', '德胜', '玉林', '春生', '秋生', '树林', '广发', '富贵', '明亮', '向东', '卫东', '解放', '忠诚'];
const ELDER_FEMALE = ['秀英', '桂兰', '淑珍', '玉兰', '秀兰', '凤英', '桂英', '素梅', '秀珍', '玉梅', '淑华', '美兰', '兰英', '翠花', '桂芳', '玉珍', '秀云', '丽华', '红梅', '爱华', '冬梅', '春兰', '金凤', '巧云', '雪琴'];
const MID_MALE = ['伟', '强', '磊', '军', '勇', '杰', '涛', '斌', '鹏', '辉', '海涛', '建伟', '志强', '红军', '国伟', '晓东', '立新', '永强', '海军', '宏伟', '振宇', '卫华', '学军', '新民', '利民'];
const MID_FEMALE = ['丽', '静', '敏', '燕', '艳', '娟', '霞', '玲', '红', '芳', '丽娟', '晓燕', '海燕', '春燕', '慧敏', '丽萍', '晓红', '艳丽', '玉洁', '雪梅', '俊英', '彩霞', '凤霞', '小红', '利娟'];
const YOUNG_MALE = ['浩然', '子豪', '宇轩', '俊杰', '博文', '一鸣', '梓涵', '嘉豪', '文博', '浩宇', '天佑', '明轩', '思远', '家乐', '子健', '雨泽', '瑞', '晨', '昊', '鑫', '帅', '凯', '航', '超', '旭'];
const YOUNG_FEMALE = ['欣怡', '梦琪', '思雨', '雨涵', '佳怡', '诗涵', '婉清', '一诺', '子萱', '可馨', '语嫣', '雅琪', '若曦', '梓萌', '晓彤', '佳琪', '梦瑶', '嘉怡', '静怡', '思琪', '悦', '璐', '萌', '婷', '倩'];

export function chineseName(r: Rand, gender: '男' | '女', age: number): string {
  const surname = pick(r, SURNAMES);
  let pool: string[];
  if (age >= 58) pool = gender === '男' ? ELDER_MALE : ELDER_FEMALE;
  else if (age >= 38) pool = gender === '男' ? MID_MALE : MID_FEMALE;
  else pool = gender === '男' ? YOUNG_MALE : YOUNG_FEMALE;
  return surname + pick(r, pool);
}

/** Valid mainland mobile prefixes. 199 is left out on purpose: tests use 199… numbers as newcomers. */
const PREFIXES = [
  '138', '139', '137', '136', '135', '150', '151', '152', '158', '159', '186', '187', '188', '189',
  '130', '131', '132', '155', '156', '185', '133', '153', '180', '181', '177', '176', '173', '183',
];

/**
 * The i-th seed phone. The last 8 digits are an affine bijection of i (the multiplier is coprime
 * to 10^8), so phones are unique for any i below 10^8 whatever the prefix.
 */
export function seedPhone(i: number): string {
  const suffix = (i * 73939133 + 20190701) % 100_000_000;
  const prefix = PREFIXES[(i * 7 + (suffix % 5)) % PREFIXES.length];
  return prefix + String(suffix).padStart(8, '0');
}

/**
 * Member ids for seed data, in the same form as real ones (`m_` + 32 hex digits) and drawn from
 * their own PRNG stream, never from the phone or anything else about the person. They rise with
 * each call, so listing members by `_id` keeps the order they were made in (the other seed modules
 * and the demo login page list them that way). Reproducible: same seed → same ids.
 */
export function seedMemberIds(seed: number): () => string {
  const r = prng(seed);
  const word = () => BigInt(Math.floor(r() * 2 ** 32));
  // start below 2^120 and step by less than 2^96: 10^7 ids still stay below 2^128
  let cur = (word() << 88n) | (word() << 56n) | (word() << 24n);
  return () => {
    cur += ((word() << 64n) | (word() << 32n) | word()) + 1n;
    return `m_${cur.toString(16).padStart(32, '0')}`;
  };
}
