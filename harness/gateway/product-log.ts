/**
 * The file a personality writes its product-format lines to (Edge's system.log, edgemicro's
 * api.log), through pino's asynchronous destination so a failure never blocks the event loop on
 * disk. The folder is checked when the gateway starts, so a folder the user cannot write is a
 * one-line error then, not a lost log later.
 */
import { dirname } from 'node:path';
import pino from 'pino';
import { ensureWritableFolder } from '../folders.ts';

type Destination = ReturnType<typeof pino.destination>;

export class ProductLog {
  private readonly destination: Destination;
  private closed: Promise<void> | undefined;

  constructor(
    readonly file: string,
    settingName: string,
  ) {
    ensureWritableFolder(dirname(file), settingName, `choose a folder you can write with --set ${settingName}=DIR`);
    this.destination = pino.destination({ dest: file, append: true, sync: false, mkdir: true });
  }

  write(lines: readonly string[]): void {
    if (lines.length === 0 || this.closed) return;
    this.destination.write(lines.length === 1 ? `${lines[0]}\n` : `${lines.join('\n')}\n`);
  }

  /** Flushes what is buffered and closes the file. */
  close(): Promise<void> {
    this.closed ??= new Promise((resolve) => {
      const destination = this.destination;
      const finish = () => resolve();
      destination.once('close', finish);
      destination.once('error', finish);
      if ((destination as unknown as { fd: number }).fd < 0) destination.once('ready', () => destination.end());
      else destination.end();
    });
    return this.closed;
  }
}
