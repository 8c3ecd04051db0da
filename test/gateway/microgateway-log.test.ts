/**
 * Where and what the microgateway personality writes: the document's two lines in
 * <logging.dir>/edgemicro-<hostname>-<uid>-<n>-api.log, on disk once the gateway is closed; the
 * engine's level filter (error hides the warn line, none writes nothing); and the 3.3.7 release,
 * which writes the targetRequest error line at [error] and fills the client ip.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEventLogLine } from '../../harness/gateway/microgateway.ts';
import { collectLines, request, startBackend, startGateway, tempDir } from '../helpers.ts';
import { DOCUMENT_ERROR_LINE, DOCUMENT_HOST, DOCUMENT_PATH, SOCKET_HANG_UP, documentFields, expectDocumentLines } from './microgateway-document.ts';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A gateway in front of fin-mid-request (the document's hang-up) with these settings, one request. */
async function hangUp(settings: Record<string, unknown>) {
  const backend = await startBackend('fin-mid-request');
  const gateway = await startGateway({ personality: 'microgateway', target: backend.url, settings });
  const lines = collectLines(gateway);
  const before = Date.now();
  const reply = await request(`${gateway.url}${DOCUMENT_PATH}`, { headers: { host: DOCUMENT_HOST } });
  const writtenBetween: [number, number] = [before, Date.now()];
  return { backend, gateway, lines, reply, writtenBetween, targetHost: `127.0.0.1:${backend.port}` };
}

describe('the microgateway event log', () => {
  it('is <logging.dir>/edgemicro-<hostname>-<uid>-1-api.log and holds the two lines on disk after close()', async () => {
    const dir = tempDir();
    const run = await hangUp({ edgemicro: { logging: { dir } } });
    expect(run.reply.body).toBe(SOCKET_HANG_UP);
    await run.gateway.close();

    expect(dirname(run.gateway.logFile)).toBe(dir);
    // 3.1.6 makes its uid with uuid v1.
    expect(basename(run.gateway.logFile)).toMatch(new RegExp(`^edgemicro-${escape(hostname())}-[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}-1-api\\.log$`));
    expect(readdirSync(dir)).toEqual([basename(run.gateway.logFile)]);
    const written = readFileSync(run.gateway.logFile, 'utf8');
    expect(written).toBe(`${run.lines.join('\n')}\n`);
    expectDocumentLines(written.trimEnd().split('\n'), { targetHost: run.targetHost, writtenBetween: run.writtenBetween });
  });

  it('appends: the lines of each failed request follow those of the one before', async () => {
    const dir = tempDir();
    const run = await hangUp({ edgemicro: { logging: { dir } } });
    await request(`${run.gateway.url}${DOCUMENT_PATH}`, { headers: { host: DOCUMENT_HOST } });
    await run.gateway.close();
    const written = readFileSync(run.gateway.logFile, 'utf8').trimEnd().split('\n');
    expect(written).toEqual(run.lines);
    expect(written.map((line) => parseEventLogLine(line)?.component)).toEqual(['plugins-middleware', 'microgateway-core', 'plugins-middleware', 'microgateway-core']);
    const [first, , third] = written.map((line) => parseEventLogLine(line)?.correlationId);
    expect(first).not.toBe(third);
  });

  it('level error: only the microgateway-core line, the warn line filtered out', async () => {
    const dir = tempDir();
    const run = await hangUp({ edgemicro: { logging: { dir, level: 'error' } } });
    expect(run.reply.status).toBe(502);
    await run.gateway.close();
    const written = readFileSync(run.gateway.logFile, 'utf8').trimEnd().split('\n');
    expect(written).toHaveLength(1);
    const fields = parseEventLogLine(written[0] ?? '');
    const document = documentFields(DOCUMENT_ERROR_LINE);
    expect(fields).toEqual({ ...document, time: fields?.time, pid: String(process.pid), correlationId: fields?.correlationId });
  });

  it('level info: the same two lines as warn', async () => {
    const run = await hangUp({ edgemicro: { logging: { dir: tempDir(), level: 'info' } } });
    expectDocumentLines(run.lines, { targetHost: run.targetHost, writtenBetween: run.writtenBetween });
  });

  it('level none: nothing is written', async () => {
    const run = await hangUp({ edgemicro: { logging: { dir: tempDir(), level: 'none' } } });
    expect(run.reply.status).toBe(502);
    expect(run.reply.body).toBe(SOCKET_HANG_UP);
    await run.gateway.close();
    expect(run.lines).toEqual([]);
    expect(existsSync(run.gateway.logFile) ? readFileSync(run.gateway.logFile, 'utf8') : '').toBe('');
  });

  it('version 3.3.7: the targetRequest error line at [error], the client ip filled, uuid v4 ids', async () => {
    const dir = tempDir();
    const run = await hangUp({ version: '3.3.7', edgemicro: { logging: { dir } } });
    expect(run.reply.body).toBe(SOCKET_HANG_UP);
    await run.gateway.close();
    expect(basename(run.gateway.logFile)).toMatch(new RegExp(`^edgemicro-${escape(hostname())}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}-1-api\\.log$`));
    expectDocumentLines(readFileSync(run.gateway.logFile, 'utf8').trimEnd().split('\n'), {
      targetHost: run.targetHost,
      writtenBetween: run.writtenBetween,
      version: '3.3.7',
    });
  });

  it('version 3.3.7 at level error keeps both lines, both being [error]', async () => {
    const run = await hangUp({ version: '3.3.7', edgemicro: { logging: { dir: tempDir(), level: 'error' } } });
    expectDocumentLines(run.lines, { targetHost: run.targetHost, writtenBetween: run.writtenBetween, version: '3.3.7' });
  });

  it('the client id field carries the x-api-key header', async () => {
    const backend = await startBackend('fin-mid-request');
    const gateway = await startGateway({ personality: 'microgateway', target: backend.url, settings: { edgemicro: { logging: { dir: tempDir() } } } });
    const lines = collectLines(gateway);
    await request(`${gateway.url}${DOCUMENT_PATH}`, { headers: { 'x-api-key': 'app-key-1' } });
    expect(lines.map((line) => parseEventLogLine(line)?.clientId)).toEqual(['app-key-1', 'app-key-1']);
  });
});
