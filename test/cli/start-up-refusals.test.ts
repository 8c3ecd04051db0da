/**
 * Values that would make every request fail, or leak a secret, are caught at start-up: a target on
 * port 0, a closed-port backend given a port something listens on, and a target URL's user name and
 * password, which never reach the log or --check's output.
 */
import http from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { closedPort } from '../../faulty-backends/index.ts';
import { resolveGatewayOptions } from '../../harness/cli/commands/gateway.ts';
import { parseTarget, redactedTarget } from '../../harness/gateway/gateway.ts';
import { listen } from '../../harness/listen.ts';
import { runCli, startBackend, startGateway, tempDir } from '../helpers.ts';

describe('refused at start-up', () => {
  it('a target on port 0', () => {
    expect(() => parseTarget('http://127.0.0.1:0')).toThrow('target "http://127.0.0.1:0": port 0 cannot be connected to; give the port the target listens on');
    expect(() => resolveGatewayOptions({ personality: 'edge', target: 'https://u:p@127.0.0.1:0', set: [] }, {})).toThrow(/^target "https:\/\/\*\*\*@127\.0\.0\.1:0\/": port 0/);
  });

  it('closed-port on a port something listens on', async () => {
    const server = http.createServer();
    const port = await listen(server, 'someone else');
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await expect(closedPort.start({}, { port })).rejects.toThrow(`backend closed-port: port ${port} is already in use`);
  });
});

describe("a target's user name and password", () => {
  it('are redacted in the info log', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => { lines.push(chunk.toString()); done(); } });
    const backend = await startBackend('healthy');
    await startGateway({
      personality: 'edge',
      target: backend.url.replace('http://', 'http://admin:s3cret@'),
      settings: { 'logging.dir': tempDir() },
      logger: pino({ level: 'info' }, sink),
    });
    expect(lines.join('')).toContain('"target":"http://***@127.0.0.1:');
    expect(lines.join('')).not.toContain('s3cret');
    expect(redactedTarget('https://only-user@example.test/')).toBe('https://***@example.test/');
  });

  it("are redacted in --check's output", async () => {
    const result = await runCli(['gateway', '--personality', 'edge', '--target', 'http://admin:s3cret@127.0.0.1:9000', '--check']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { target: string }).target).toBe('http://***@127.0.0.1:9000/');
    expect(result.stdout + result.stderr).not.toContain('s3cret');
  });
});
