/** Runs one system command of wire mode and turns its failure into one line naming the command. */
import { execFile } from 'node:child_process';

export interface Ran {
  stdout: string;
  stderr: string;
}

export function run(command: string, args: readonly string[], input?: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim().split('\n')[0] || error.message}`));
      else resolve({ stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Like run(), but a failure is ignored: for removing what may already be gone. */
export async function tryRun(command: string, args: readonly string[]): Promise<void> {
  await run(command, args).catch(() => undefined);
}
