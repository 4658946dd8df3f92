import Taro from '@tarojs/taro';

/**
 * 关怀模式 (elder mode): large type, large targets, no pop-ups. The choice is the person's, kept on
 * the phone (setStorageSync), and applies to every page through the `Page` wrapper's root class.
 */
export interface ElderState {
  on: boolean;
  /** the app has offered elder mode once already (to a 60+ member or a large WeChat font) */
  suggested: boolean;
}

const KEY = 'pps.elder.v1';

export interface ElderStore {
  get(): ElderState;
  set(patch: Partial<ElderState>): void;
  subscribe(listener: () => void): () => void;
}

function load(): ElderState {
  try {
    const saved = Taro.getStorageSync(KEY) as Partial<ElderState> | '';
    if (saved && typeof saved === 'object') return { on: !!saved.on, suggested: !!saved.suggested };
  } catch {
    // storage unavailable (private mode on H5): fall back to defaults
  }
  return { on: false, suggested: false };
}

export function createElderStore(): ElderStore {
  let state: ElderState | null = null;
  const listeners = new Set<() => void>();
  return {
    get() {
      if (!state) state = load();
      return state;
    },
    set(patch) {
      state = { ...this.get(), ...patch };
      try {
        Taro.setStorageSync(KEY, state);
      } catch {
        // keep the in-memory value even if it cannot be persisted
      }
      listeners.forEach((l) => l());
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export const elderStore = createElderStore();

/**
 * WeChat's own font setting as a scale factor (1 = standard). `getAppBaseInfo().fontSizeScaleFactor`
 * on current base libraries, else `getSystemInfoSync().fontSizeSetting` (px, 16 standard). H5 has
 * neither: 1.
 */
export function wechatFontScale(): number {
  if (process.env.TARO_ENV !== 'weapp') return 1;
  try {
    const info = (Taro.getAppBaseInfo?.() ?? {}) as { fontSizeScaleFactor?: number };
    if (typeof info.fontSizeScaleFactor === 'number' && info.fontSizeScaleFactor > 0) return info.fontSizeScaleFactor;
    const setting = Taro.getSystemInfoSync().fontSizeSetting;
    if (typeof setting === 'number' && setting > 0) return setting / 16;
  } catch {
    // older base library: no information, assume standard
  }
  return 1;
}
