/**
 * Reading an event log that another process writes: the lines so far, or, when more are
 * expected, waiting for them on file-system events with a deadline. microgateway-core creates its
 * log file only when it writes its first line, and writes its second line of a failure after the
 * client has been answered, so a reader must be able to wait for both.
 */
import { readFileSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

function linesOf(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * The non-empty lines of `file`; waits until at least `expected` are there. At the deadline it
 * resolves with what is there, so the caller compares what was written with what it expected.
 */
export function readEventLog(file: string, expected = 0, timeoutMs = 2000): Promise<string[]> {
  const now = linesOf(file);
  if (now.length >= expected) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    // The folder, not the file: the file may not exist yet.
    const watcher = watch(dirname(file));
    const finish = (lines: string[]) => {
      clearTimeout(deadline);
      watcher.close();
      resolve(lines);
    };
    const deadline = setTimeout(() => finish(linesOf(file)), timeoutMs);
    watcher.on('change', (_event, name) => {
      if (name !== null && String(name) !== basename(file)) return;
      const lines = linesOf(file);
      if (lines.length >= expected) finish(lines);
    });
    watcher.on('error', (error) => {
      clearTimeout(deadline);
      watcher.close();
      reject(error);
    });
    // A line written between the first read and the watch starting has raised no event.
    const lines = linesOf(file);
    if (lines.length >= expected) finish(lines);
  });
}
