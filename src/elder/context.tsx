import { createContext, useCallback, useContext, useSyncExternalStore } from 'react';
import { elderStore, type ElderState, type ElderStore } from './store';

/**
 * The context carries the store (the app-wide singleton unless a test provides another); components
 * subscribe to it, so toggling in 我的 re-renders every open page at once.
 */
export const ElderContext = createContext<ElderStore>(elderStore);

export function useElder(): ElderState & { setElder(on: boolean): void; markSuggested(): void } {
  const store = useContext(ElderContext);
  const state = useSyncExternalStore(store.subscribe, store.get, store.get);
  const setElder = useCallback((on: boolean) => store.set({ on, suggested: true }), [store]);
  const markSuggested = useCallback(() => store.set({ suggested: true }), [store]);
  return { ...state, setElder, markSuggested };
}
