/**
 * The standalone commands as a user runs them, for the Microgateway document: `faultgate backend
 * fin-mid-request` (a target that sends FIN after the request headers) and `faultgate gateway
 * --personality microgateway` in front of it. The gateway answers the document's 502, its log file
 * holds the document's two lines, and both commands close everything and exit 0 on a signal.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listenersOf, request, startCli, tempDir } from '../helpers.ts';
import { DOCUMENT_HOST, DOCUMENT_PATH, SOCKET_HANG_UP, expectDocumentLines } from '../gateway/microgateway-document.ts';

describe('faultgate gateway --personality microgateway in front of faultgate backend fin-mid-request', () => {
  it('answers the document 502, logs the two documented lines, and exits 0 on SIGINT and SIGTERM', async () => {
    const dir = tempDir();
    const backend = await startCli(['backend', 'fin-mid-request']);
    const backendUrl = new URL(backend.firstLine);
    expect(backend.firstLine).toBe(`http://127.0.0.1:${backendUrl.port}`);

    const gateway = await startCli(['gateway', '--personality', 'microgateway', '--target', backend.firstLine, '--port', '0', '--set', `edgemicro.logging.dir=${dir}`]);
    const gatewayUrl = new URL(gateway.firstLine);
    expect(gateway.firstLine).toBe(`http://127.0.0.1:${gatewayUrl.port}`);

    const before = Date.now();
    const reply = await request(`${gateway.firstLine}${DOCUMENT_PATH}`, { headers: { host: DOCUMENT_HOST } });
    const after = Date.now();
    expect(reply.status).toBe(502);
    expect(reply.body).toBe(SOCKET_HANG_UP);

    const gatewayEnd = await gateway.stop('SIGINT');
    expect(gatewayEnd).toMatchObject({ code: 0, signal: null });
    const backendEnd = await backend.stop('SIGTERM');
    expect(backendEnd).toMatchObject({ code: 0, signal: null });
    expect(await listenersOf(Number(gatewayUrl.port))).not.toContain(gateway.child.pid);
    expect(await listenersOf(Number(backendUrl.port))).not.toContain(backend.child.pid);

    // The third line of its output names the log file: <dir>/edgemicro-<hostname>-<uid>-1-api.log.
    const logFile = /^product log: (.+)$/m.exec(gatewayEnd.stdout)?.[1] ?? '';
    expect(dirname(logFile)).toBe(dir);
    expect(basename(logFile).startsWith(`edgemicro-${hostname()}-`)).toBe(true);
    expect(basename(logFile).endsWith('-1-api.log')).toBe(true);
    const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
    expectDocumentLines(lines, {
      targetHost: `127.0.0.1:${backendUrl.port}`,
      writtenBetween: [before, after],
      pid: gateway.child.pid,
    });
    expect(backendEnd.stdout.split('\n')[1]).toBe('fin-mid-request: reads the request head, then sends FIN without a response');
  });
});
