/**
 * What an interrupted run must not leave behind. `finally` blocks do not run when Node dies of
 * SIGINT or SIGTERM, so children and temporary folders are also registered here, and the handler
 * installed by run.ts kills the one and removes the other before exiting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const onInterrupt = new Set<() => void>();

/** Registers `undo` for an interrupt; the returned function unregisters it. */
export function untilDone(undo: () => void): () => void {
  onInterrupt.add(undo);
  return () => onInterrupt.delete(undo);
}

export interface TemporaryDir {
  path: string;
  remove(): void;
}

/** A fresh folder under the system's temporary directory, removed by `remove()` or on interrupt. */
export function temporaryDir(prefix: string): TemporaryDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  const remove = () => rmSync(path, { recursive: true, force: true });
  const forget = untilDone(remove);
  return {
    path,
    remove() {
      forget();
      remove();
    },
  };
}

/** On SIGINT or SIGTERM: kill the children, then remove the folders, then exit as the signal would. */
export function cleanUpOnInterrupt(): void {
  const handler = (signal: NodeJS.Signals) => {
    // In reverse order of registration: children, started after the folders they write into, go first.
    const undo = [...onInterrupt].reverse();
    onInterrupt.clear();
    for (const step of undo) {
      try {
        step();
      } catch {
        // keep going: the other steps still matter
      }
    }
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
