/** The emulator's test fault specs: parsing, and which database request of a call a fault hits. */
import { faultEffect, FaultBoard, landsWrite, parseFault } from '../../emulator/host/faults';

test('parses the four kinds and refuses anything else', () => {
  expect(parseFault('fail-op=3')).toEqual({ kind: 'fail-op', op: 3 });
  expect(parseFault(' timeout-after-write = 1 ')).toEqual({ kind: 'timeout-after-write', op: 1 });
  for (const bad of ['fail-op=0', 'fail-op=x', 'fail=1', 'timeout-after-op', 'fail-op=1;fail-op=2', '']) {
    expect(() => parseFault(bad)).toThrow(/fail-op=N/);
  }
});

test('a write lands outside a transaction or at its commit, never inside one', () => {
  expect(landsWrite('database.insertDocument', false)).toBe(true);
  expect(landsWrite('database.modifyDocument', true)).toBe(false);
  expect(landsWrite('database.commitTransaction', true)).toBe(true);
  expect(landsWrite('database.getDocument', false)).toBe(false);
  expect(landsWrite('database.startTransaction', false)).toBe(false);
});

test('-op faults count every request, -write faults only landing writes', () => {
  expect(faultEffect(parseFault('fail-op=2'), { op: 2, write: 0 }, false)).toBe('fail');
  expect(faultEffect(parseFault('fail-op=2'), { op: 3, write: 1 }, true)).toBeUndefined();
  expect(faultEffect(parseFault('timeout-after-op=1'), { op: 1, write: 0 }, false)).toBe('timeout-after');
  expect(faultEffect(parseFault('timeout-after-write=1'), { op: 4, write: 0 }, false)).toBeUndefined();
  expect(faultEffect(parseFault('timeout-after-write=1'), { op: 5, write: 1 }, true)).toBe('timeout-after');
  // the request after the first landing write does not match again
  expect(faultEffect(parseFault('fail-write=1'), { op: 6, write: 1 }, false)).toBeUndefined();
  expect(faultEffect(undefined, { op: 1, write: 1 }, true)).toBeUndefined();
});

test('an armed fault is taken by the next matching call only, as many times as armed', () => {
  const board = new FaultBoard();
  board.arm({ fn: 'quiz', action: 'submit', fault: parseFault('fail-op=1'), remaining: 2 });
  expect(board.take('quiz', 'today')).toBeUndefined();
  expect(board.take('org', 'submit')).toBeUndefined();
  expect(board.take('quiz', 'submit')).toEqual({ kind: 'fail-op', op: 1 });
  expect(board.list()).toHaveLength(1);
  expect(board.take('quiz', 'submit')).toEqual({ kind: 'fail-op', op: 1 });
  expect(board.take('quiz', 'submit')).toBeUndefined();
  board.arm({ fn: 'quiz', fault: parseFault('fail-op=1'), remaining: 1 });
  board.clear();
  expect(board.list()).toEqual([]);
});
