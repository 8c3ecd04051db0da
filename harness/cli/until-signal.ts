/**
 * Keeps a long-running command alive until SIGINT or SIGTERM, then closes what it started and
 * lets the process exit 0. A second signal while closing exits at once.
 *
 * Call it before announcing readiness (printing the URL), so that a signal sent the moment the URL
 * appears is already handled; and it holds the event loop open itself, because a command may have
 * nothing else open (closed-port listens on nothing).
 */
export function untilSignal(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let closing = false;
    const keepAlive = setInterval(() => {}, 2 ** 31 - 1);
    const onSignal = () => {
      if (closing) process.exit(130);
      closing = true;
      clearInterval(keepAlive);
      close().then(
        () => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve();
        },
        (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
