/**
 * `faultgate run` stopped by SIGTERM (docker stop, a CI timeout, kill) closes everything it started
 * and removes the product-log folders it made, as Ctrl-C does, and exits 143.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, watch } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { cleanEnvironment, FAULTGATE, tempDir } from '../helpers.ts';

describe('faultgate run and signals', () => {
  it('SIGTERM mid-run: everything closed, its log folder removed, exit 143', async () => {
    const tmp = tempDir();
    // The run's log folder appearing in its temp folder says the run has started.
    const started = new Promise<void>((resolve) => {
      const watcher = watch(tmp, (_event, name) => {
        if (!name?.startsWith('faultgate-tls-handshake-timeout-')) return;
        watcher.close();
        resolve();
      });
      onTestFinished(() => watcher.close());
    });
    // The real-time handshake limit is 55 s: the signal always lands mid-run.
    const child = spawn(process.execPath, [FAULTGATE, 'run', 'tls-handshake-timeout', '--real-time', '--json'], {
      env: { ...cleanEnvironment(), TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onTestFinished(() => void child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'close');
    await started;
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(143);
    expect(stderr).toBe('faultgate: interrupted; everything it started is closed\n');
    expect(readdirSync(tmp).filter((name) => name.startsWith('faultgate-'))).toEqual([]);
  });
});
