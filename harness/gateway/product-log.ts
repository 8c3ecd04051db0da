/**
 * The file a personality writes its product-format lines to (Edge's system.log, edgemicro's
 * api.log), through pino's asynchronous destination so a failure never blocks the event loop on
 * disk. The folder is checked when the gateway starts, so a folder the user cannot write is a
 * one-line error then, not a lost log later.
 */
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';
import { FaultgateError } from '../errors.ts';

type Destination = ReturnType<typeof pino.destination>;

export class ProductLog {
  private readonly destination: Destination;
  private closed: Promise<void> | undefined;

  constructor(
    readonly file: string,
    settingName: string,
  ) {
    const folder = dirname(file);
    try {
      makeFolder(folder);
      accessSync(folder, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const fix = `choose a folder you can write with --set ${settingName}=DIR`;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new FaultgateError('E_PRIVILEGE', `${settingName} ${folder}: not allowed to write there; ${fix}`);
      throw new FaultgateError('E_CONFIG', `${settingName} ${folder}: cannot create it (${code ?? String(error)}); ${fix}`);
    }
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

/**
 * mkdir -p, one level at a time: Node's own recursive mkdirSync never returns for a folder under
 * /proc (it retries the ENOENT for ever), where this fails at once.
 */
function makeFolder(folder: string): void {
  if (existsSync(folder)) return;
  const parent = dirname(folder);
  if (parent !== folder) makeFolder(parent);
  mkdirSync(folder);
}
