/**
 * Folders the harness writes into (product logs): made if missing, checked writable, and a
 * problem turned into one line naming the setting and the fix.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { FaultgateError } from './errors.ts';

/**
 * mkdir -p, one level at a time: Node 20's recursive mkdirSync never returns for a path under
 * /proc (it retries ENOENT for ever); this fails at once.
 */
function makeFolder(folder: string): void {
  try {
    mkdirSync(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(folder) === folder) throw error;
    makeFolder(dirname(folder));
    mkdirSync(folder);
  }
}

/** Makes the folder if needed and checks it can be written; `setting` names where it came from. */
export function ensureWritableFolder(folder: string, setting: string, fix = `choose a folder you can write with ${setting} DIR`): void {
  try {
    makeFolder(folder);
    accessSync(folder, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new FaultgateError('E_PRIVILEGE', `${setting} ${folder}: not allowed to write there; ${fix}`);
    throw new FaultgateError('E_CONFIG', `${setting} ${folder}: cannot create it (${code ?? String(error)}); ${fix}`);
  }
  if (!statSync(folder).isDirectory()) throw new FaultgateError('E_CONFIG', `${setting} ${folder}: is a file, not a folder; ${fix}`);
}
