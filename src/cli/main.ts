/**
 * The entry file: the only module that reads argv, the environment, the process's streams
 * and signals. Everything below receives them as arguments.
 */
import { run } from './run.js';

const stopHandlers: (() => void)[] = [];
for (const [signal, number] of [
  ['SIGTERM', 15],
  ['SIGINT', 2],
] as const) {
  process.once(signal, () => {
    // Before anything is serving there is nothing to finish: stop at once.
    if (stopHandlers.length === 0) process.exit(128 + number);
    stopHandlers.splice(0).forEach((handler) => handler());
  });
}

// No top-level await: the bundle that runs this file is a script (see src/build/bundle.ts).
void run({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  execPath: process.execPath,
  // Node makes argv[1] absolute; where this file lives depends on the build (bundled or not).
  scriptPath: process.argv[1] ?? '',
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  onStopSignal: (handler) => stopHandlers.push(handler),
}).then((code) => {
  process.exitCode = code;
  // Anything still pending (a timer, a stray handle) must not keep a finished server alive.
  setTimeout(() => process.exit(code), 2_000).unref();
});
