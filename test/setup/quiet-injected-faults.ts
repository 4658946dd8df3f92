/**
 * Fault-injection suites make database requests fail on purpose (the emulator's `x-fault`), and a
 * function logs each such failure with its stack, as it must for a real one. The function instances'
 * output reaches this process's stderr directly, past jest's console: here the log entries caused by
 * an injected fault are dropped from the test output. Every other line, a real error included, stays.
 */
const INJECTED = '(injected fault)';

type Stderr = NodeJS.WriteStream & { quietInjectedFaults?: true };
const stderr = process.stderr as Stderr;

// one wrapper per process: the stream outlives each suite's module registry
if (!stderr.quietInjectedFaults) {
  const write = stderr.write.bind(stderr) as (...args: unknown[]) => boolean;
  stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
    // a log entry (`[function error] …`, `[org] …`), never jest's own report of a failed test
    if (text.startsWith('[') && text.includes(INJECTED)) {
      const done = rest.find((r): r is () => void => typeof r === 'function');
      if (done) process.nextTick(done);
      return true;
    }
    return write(chunk, ...rest);
  }) as Stderr['write'];
  stderr.quietInjectedFaults = true;
}

export {};
