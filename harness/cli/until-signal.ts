/**
 * Keeps a long-running command alive until SIGINT, SIGTERM or SIGHUP, or until the process that
 * started it goes away (stop.ts), then closes what it started and lets the process exit 0. A second
 * signal while closing exits at once.
 *
 * Call it before announcing readiness (printing the URL), so that a signal sent the moment the URL
 * appears is already handled; and it holds the event loop open itself, because a command may have
 * nothing else open (closed-port listens on nothing).
 */
import { EXIT_INTERRUPTED } from './exit-codes.ts';
import { onStop } from './stop.ts';

export function untilSignal(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let closing = false;
    const keepAlive = setInterval(() => {}, 2 ** 31 - 1);
    const stopListening = onStop(() => {
      if (closing) process.exit(EXIT_INTERRUPTED);
      closing = true;
      clearInterval(keepAlive);
      close().then(
        () => {
          stopListening();
          resolve();
        },
        (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
      );
    });
  });
}
