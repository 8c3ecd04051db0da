/**
 * What every backend shares through defineBackend(): settings checked where they are given (a bad
 * one fails at start, naming the setting and the value), defaults applied, one sentence that says
 * what it does, an ephemeral loopback port unless told otherwise, and close(), which stops
 * listening and drops every connection it accepted.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backendNamed, backends, type BackendName } from '../../faulty-backends/index.ts';
import { failureOf } from '../../harness/stage/plan.ts';
import { listenersOf, rawConnect, reservedPort, startBackend, traced } from '../helpers.ts';
import { listeningBackends, registryProblems } from './registry.ts';

const definition = (name: BackendName) => backendNamed(name);

describe('backend settings', () => {
  it.each([
    ['fin-mid-request', { afterBodyBytes: -1 }, 'afterBodyBytes', '-1'],
    ['reset-mid-request', { afterBodyBytes: 1.5 }, 'afterBodyBytes', '1.5'],
    ['idle-closer', { idleTimeoutMs: 0 }, 'idleTimeoutMs', '0'],
    ['idle-closer', { idleTimeoutMs: 'soon' }, 'idleTimeoutMs', '"soon"'],
    ['no-content-with-body', { status: 200 }, 'status', '200'],
    ['healthy', { tls: 'yes' }, 'tls', '"yes"'],
    ['not-http', { greeting: '' }, 'greeting', '""'],
  ] as const)('%s refuses %j, naming the setting and the value', async (name, settings, setting, value) => {
    const error = await definition(name).start(settings).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toMatchObject({ code: 'E_CONFIG' });
    const message = (error as Error).message;
    expect(message.startsWith(`backend ${name}: ${setting}: `)).toBe(true);
    expect(message.endsWith(`, got ${value}`)).toBe(true);
  });

  it('an unknown setting is refused, naming it', async () => {
    await expect(definition('never-respond').start({ delayMs: 5 })).rejects.toThrow(/^backend never-respond: .*"delayMs"/);
  });

  it('defaults are applied, and settingNames lists every setting', () => {
    expect(definition('idle-closer').parseSettings({})).toEqual({ idleTimeoutMs: 5000, advertiseKeepAliveHint: false, tls: false, body: '{"ok":true}' });
    expect([...definition('idle-closer').settingNames]).toEqual(['idleTimeoutMs', 'advertiseKeepAliveHint', 'hintSeconds', 'tls', 'body']);
    expect([...definition('swallow-client-hello').settingNames]).toEqual([]);
  });

  it('explains itself in one sentence that carries its settings', async () => {
    expect((await startBackend('fin-mid-request', { afterBodyBytes: 64 })).explanation).toBe('reads the request head and 64 body bytes, then sends FIN without a response');
    expect(definition('idle-closer').explain(definition('idle-closer').parseSettings({ idleTimeoutMs: 5000, advertiseKeepAliveHint: true }))).toBe(
      'answers 200 and keeps the connection open, then closes it after 5000 ms idle, having advertised Keep-Alive: timeout=5',
    );
  });
});

describe('the registry', () => {
  it('names every backend file of faulty-backends/, each named like its file', async () => {
    expect(await registryProblems(fileURLToPath(new URL('../../faulty-backends/', import.meta.url)), Object.keys(backends))).toEqual([]);
  });
});

describe('backend lifecycle', () => {
  const listening = listeningBackends(Object.keys(backends) as BackendName[], failureOf);

  it.each(listening)('%s: listens on an ephemeral loopback port; close() stops listening and drops its connections', async (name) => {
    const backend = await startBackend(name);
    expect(backend.port).toBeGreaterThan(0);
    expect(backend.url).toMatch(new RegExp(`^https?://127\\.0\\.0\\.1:${backend.port}$`));
    const client = await rawConnect(backend.port);
    await traced(backend, (event) => event.kind === 'accepted');
    await backend.close();
    await client.ended;
    expect(await listenersOf(backend.port)).not.toContain(process.pid);
  });

  it('listens on the port it is given, and names a busy one', async () => {
    const port = await reservedPort();
    const backend = await definition('healthy').start({}, { port });
    try {
      expect(backend.url).toBe(`http://127.0.0.1:${port}`);
      await expect(definition('never-respond').start({}, { port })).rejects.toMatchObject({
        code: 'E_PORT_IN_USE',
        message: `backend never-respond: port ${port} is already in use; choose another, or leave the port out for a free one`,
      });
    } finally {
      await backend.close();
    }
  });
});
