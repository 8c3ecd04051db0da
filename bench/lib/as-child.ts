/**
 * The child's side of the protocol in children.ts: read the options, announce readiness, answer
 * requests line by line, and close everything when stdin ends (the parent is done, or gone).
 */
import { createInterface } from 'node:readline';

/** What a server child announces: where it listens and which process to read memory from. */
export interface ServerReady {
  url: string;
  pid: number;
}

export function childOptions<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

function say(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

export interface ChildRole {
  /** called once stdin ends; the process exits when it resolves */
  close(): Promise<void>;
  /** answers one request from the parent */
  handle?(request: unknown): Promise<unknown>;
}

/** Runs `start`, announces what it returns, then serves requests until stdin ends. */
export function runAsChild<Ready>(start: () => Promise<{ ready: Ready; role: ChildRole }>): void {
  start().then(
    ({ ready, role }) => {
      say({ type: 'ready', value: ready });
      // One request at a time, in order: a load generator must never run two jobs at once.
      let queue = Promise.resolve();
      const lines = createInterface({ input: process.stdin });
      lines.on('line', (line) => {
        queue = queue.then(async () => {
          try {
            const value = role.handle ? await role.handle(JSON.parse(line)) : undefined;
            say({ type: 'reply', value });
          } catch (error) {
            say({ type: 'error', message: error instanceof Error ? error.message : String(error) });
          }
        });
      });
      lines.on('close', () => {
        void queue
          .then(() => role.close())
          .finally(() => process.exit(0));
      });
    },
    (error: unknown) => {
      say({ type: 'error', message: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    },
  );
}
