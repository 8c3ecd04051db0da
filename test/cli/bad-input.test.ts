/**
 * Bad input to the standalone commands, run as child processes: each is one line on stderr,
 * `faultgate: ` then the value and what is accepted, nothing on stdout, exit code 2, and nothing
 * left listening on the port the command was given. More bad values, checked without a process
 * each, are in options.test.ts. The cases run concurrently (each its own process, port and folder),
 * so they use the test context's expect and onTestFinished.
 */
import { backends } from '../../faulty-backends/index.ts';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'vitest';
import { connectOutcome, freePort, listenersOf, runCli } from '../helpers.ts';

const TARGET = ['--target', 'http://127.0.0.1:9'];

/** Runs the command with --port P added, checks the common rules, and resolves with the stderr line. */
async function refused({ expect, onTestFinished }: TestContext, args: readonly string[], port?: number): Promise<string> {
  const listenPort = port ?? (await freePort());
  const result = await runCli([...args, '--port', String(listenPort)], onTestFinished);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^faultgate: [^\n]+\n$/);
  if (port === undefined) expect(await listenersOf(listenPort)).not.toContain(result.pid);
  return result.stderr.trimEnd();
}

function folder({ onTestFinished }: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultgate-test-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe.concurrent('faultgate: bad input', () => {
  it('an unknown personality: names it and the known ones', async (context) => {
    context.expect(await refused(context, ['gateway', '--personality', 'nginx', ...TARGET])).toBe('faultgate: unknown personality "nginx"; known: edge, microgateway');
  });

  it('an unknown backend: names it and the known ones', async (context) => {
    context
      .expect(await refused(context, ['backend', 'flaky']))
      .toBe(
        `faultgate: unknown backend "flaky"; known: ${Object.keys(backends).join(', ')}`,
      );
  });

  it('a negative timeout: names the property, the value and the rule', async (context) => {
    context
      .expect(await refused(context, ['gateway', '--personality', 'edge', ...TARGET, '--set', 'io.timeout.millis=-5']))
      .toBe('faultgate: edge settings: io.timeout.millis: must not be negative (milliseconds), got -5');
  });

  it('a timeout that is not a number: names the property, the value and the unit', async (context) => {
    context
      .expect(await refused(context, ['gateway', '--personality', 'edge', ...TARGET, '--set', 'connect.timeout.millis=soon']))
      .toBe('faultgate: edge settings: connect.timeout.millis: expected a whole number of milliseconds, got "soon"');
  });

  it('an option that does not exist: one line, with where to find the usage', async (context) => {
    context
      .expect(await refused(context, ['gateway', '--personality', 'edge', ...TARGET, '--timeout', '5']))
      .toBe("faultgate: unknown option '--timeout' (see npx faultgate --help)");
  });

  it('a port in use: names the port and the way out', async (context) => {
    const holder = net.createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    context.onTestFinished(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const { port } = holder.address() as net.AddressInfo;
    context
      .expect(await refused(context, ['gateway', '--personality', 'edge', ...TARGET, '--set', `logging.dir=${folder(context)}`], port))
      .toBe(`faultgate: gateway (edge): port ${port} is already in use; choose another, or leave the port out for a free one`);
    // The port is still the holder's alone: connections reach it, and nothing else was left bound.
    context.expect(await connectOutcome(port)).toBe('connected');
  });

  it('a config file that does not exist: names it', async (context) => {
    const file = join(folder(context), 'missing.yaml');
    context.expect(await refused(context, ['gateway', '--personality', 'microgateway', ...TARGET, '--config', file])).toBe(`faultgate: ${file}: no such file`);
  });

  it('a malformed YAML config: names the file and the line', async (context) => {
    const file = join(folder(context), 'myorg-test-config.yaml');
    writeFileSync(file, 'edgemicro:\n  port: 8000\n  logging: [level: warn\n');
    context
      .expect(await refused(context, ['gateway', '--personality', 'microgateway', ...TARGET, '--config', file]))
      .toMatch(new RegExp(`^faultgate: ${escape(file)}: is not valid YAML \\(line \\d+\\): `));
  });
});
