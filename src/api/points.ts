import { callFunction } from './index';
import type { PointsAction, PointsInput, PointsOutputs } from '../../core/points/contracts';

/** Typed calls to the `points` cloud function (红色手账 and rules). */
function call<A extends PointsAction>(action: A, payload: PointsInput<A>): Promise<PointsOutputs[A]> {
  return callFunction<PointsOutputs[A]>('points', action, payload);
}

export const pointsApi = {
  history: (p: PointsInput<'history'> = {}) => call('history', p),
  rules: () => call('rules', {}),
  setRules: (p: PointsInput<'setRules'>) => call('setRules', p),
};

export type { PointsOutputs, LedgerView, RulesView } from '../../core/points/contracts';
