/**
 * Every duration has bounds: no setting accepts a value a Node timer cannot hold (2^31 − 1 ms; a
 * longer one fires after 1 ms). The list of settings is not written here: every schema a user's
 * value goes through (gateway personalities, backends, scenarios, chains, the keep-alive probe's
 * flags) is walked, and every numeric field whose name says it is a time is tried one past its
 * largest value. Then each way in (--set, the environment, a scenario file, a chain file) is shown
 * to end in one line that names the setting and the largest value.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { z } from 'zod';
import { backends } from '../../faulty-backends/index.ts';
import { resolveBackendOptions } from '../../harness/cli/commands/backend.ts';
import { resolveGatewayOptions } from '../../harness/cli/commands/gateway.ts';
import { parseProbeOptions } from '../../harness/cli/commands/keepalive.ts';
import { MAX_TIMER_MS, MAX_TIMER_SECONDS } from '../../harness/config/fields.ts';
import { personalities } from '../../harness/gateway/personalities.ts';
import { listen } from '../../harness/listen.ts';
import { hopSchema } from '../../harness/keepalive/chain-schema.ts';
import { loadChain } from '../../harness/keepalive/chain.ts';
import { checkScenario } from '../../harness/runner/load-scenarios.ts';
import { scenarioSchema } from '../../harness/runner/scenario.ts';
import mismatch from '../../scenarios/keepalive-timeout-mismatch.ts';
import { quietFor, request, runCli, startGateway, tempDir } from '../helpers.ts';

const TIME_NAME = /timeout|millis|_ms$|Ms$|seconds|delay|latency|interval|^ms$/i;

interface Leaf {
  path: string;
  schema: z.ZodType;
}

/** Every numeric field under a schema, by its path (wrappers, unions, arrays and records looked through). */
function numericLeaves(schema: z.ZodType, path: string[] = []): Leaf[] {
  const def = schema.def as unknown as Record<string, unknown> & { type: string };
  const inner = (value: unknown, at: string[] = path) => numericLeaves(value as z.ZodType, at);
  switch (def.type) {
    case 'number':
      return [{ path: path.join('.'), schema }];
    case 'object':
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([key, child]) => inner(child, [...path, key]));
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
    case 'readonly':
    case 'catch':
      return inner(def.innerType);
    case 'pipe':
      return [...inner(def.in), ...inner(def.out)];
    case 'union':
      return (def.options as z.ZodType[]).flatMap((option) => inner(option));
    case 'array':
      return inner(def.element, [...path, '0']);
    case 'record':
      return inner(def.valueType, [...path, '*']);
    default:
      return [];
  }
}

const schemas: Record<string, z.ZodType> = {
  ...Object.fromEntries(Object.values(personalities).map((definition) => [`personality ${definition.name}`, definition.settingsSchema])),
  ...Object.fromEntries(Object.entries(backends).map(([name, backend]) => [`backend ${name}`, backend.settings as z.ZodType])),
  scenario: scenarioSchema,
  'chain hop': hopSchema,
};

const durations = Object.entries(schemas).flatMap(([owner, schema]) =>
  numericLeaves(schema)
    .filter((leaf) => leaf.path.split('.').some((part) => TIME_NAME.test(part)))
    .map((leaf) => ({ ...leaf, owner })),
);

describe('every duration setting has a largest value', () => {
  it('the walk finds the durations of every kind of input', () => {
    const owners = new Set(durations.map((duration) => duration.owner));
    expect([...owners].sort()).toEqual(['backend healthy', 'backend idle-closer', 'chain hop', 'personality edge', 'personality microgateway', 'scenario'].sort());
    expect(durations.map((duration) => `${duration.owner}: ${duration.path}`)).toEqual(
      expect.arrayContaining(['personality edge: io.timeout.millis', 'personality microgateway: edgemicro.request_timeout', 'backend idle-closer: idleTimeoutMs', 'scenario: relay.holdFinMs']),
    );
  });

  for (const { owner, path, schema } of durations) {
    it(`${owner}: ${path}`, () => {
      const result = schema.safeParse(MAX_TIMER_MS + 1);
      expect(result.success).toBe(false);
      const message = result.error?.issues[0]?.message ?? '';
      const largest = Number(/^at most (\d+) (milliseconds|seconds) \(the longest timer Node can hold\)$/.exec(message)?.[1]);
      expect([MAX_TIMER_MS, MAX_TIMER_SECONDS], message).toContain(largest);
      expect(schema.safeParse(largest).success).toBe(true);
      expect(schema.safeParse(largest + 1).success).toBe(false);
    });
  }
});

describe('each way in names the setting and the largest value', () => {
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return (error as Error).message;
    }
    return 'accepted';
  };
  const gateway = (personality: string, set: string[], env: NodeJS.ProcessEnv = {}) =>
    refusal(() => resolveGatewayOptions({ personality, target: 'http://127.0.0.1:9', set }, env));

  it('--set and the environment, both personalities', () => {
    expect(gateway('edge', ['connect.timeout.millis=3000000000'])).toBe(
      'edge settings: connect.timeout.millis: at most 2147483647 milliseconds (the longest timer Node can hold), got 3000000000',
    );
    expect(gateway('edge', [], { 'io.timeout.millis': '2147483648' })).toMatch(/^edge settings: io\.timeout\.millis: at most 2147483647 milliseconds/);
    expect(gateway('microgateway', ['edgemicro.request_timeout=2147484'])).toBe(
      'microgateway settings: edgemicro.request_timeout: at most 2147483 seconds (the longest timer Node can hold), got 2147484',
    );
    expect(gateway('microgateway', [], { target_idle_timeout: '99999999999' })).toMatch(/^microgateway settings: target_idle_timeout: at most 2147483647 milliseconds/);
  });

  it('backend --set', () => {
    expect(refusal(() => resolveBackendOptions('idle-closer', { set: ['idleTimeoutMs=99999999999'] }, {}))).toBe(
      'backend idle-closer: idleTimeoutMs: at most 2147483647 milliseconds (the longest timer Node can hold), got 99999999999',
    );
  });

  it('a scenario file, in test and real time', () => {
    const scenario = (settings: unknown) =>
      refusal(() => checkScenario({ ...mismatch, gateway: { ...mismatch.gateway, settings } }, '/elsewhere/long.yaml'));
    expect(scenario({ target_idle_timeout: { test: 100, real: 3_000_000_000 } })).toBe(
      '/elsewhere/long.yaml (real time): gateway.settings: target_idle_timeout: at most 2147483647 milliseconds (the longest timer Node can hold), got 3000000000',
    );
  });

  it('a chain file', () => {
    const file = join(tempDir(), 'chain.yaml');
    writeFileSync(file, 'hops:\n  - { name: a, idle_timeout_ms: 3000000000 }\n  - { name: b, keep_alive_timeout_ms: 5000 }\n');
    expect(refusal(() => loadChain(file))).toMatch(/hops\.0\.idle_timeout_ms \(hop "a"\): at most 2147483647 milliseconds/);
  });

  it("the keep-alive probe's flags", () => {
    const flags = { holdFinMs: '50', latencyMs: '5', repeat: '1', maxSeconds: '300', backendHost: '127.0.0.1' };
    expect(refusal(() => parseProbeOptions({ ...flags, holdFinMs: '3000000000' }))).toMatch(/^--hold-fin-ms: at most 2147483647/);
    expect(refusal(() => parseProbeOptions({ ...flags, maxSeconds: '3000000' }))).toMatch(/^--max-seconds: at most 2147483/);
  });

  it('on the command line: one line and exit 2', async () => {
    const result = await runCli(['backend', 'idle-closer', '--set', 'idleTimeoutMs=99999999999']);
    expect([result.code, result.stdout, result.stderr]).toEqual([2, '', 'faultgate: backend idle-closer: idleTimeoutMs: at most 2147483647 milliseconds (the longest timer Node can hold), got 99999999999\n']);
  });
});

describe("a target's Keep-Alive hint longer than a timer holds", () => {
  it('sets no limit: the pooled connection is reused, and Node warns of nothing', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    onTestFinished(() => void process.off('warning', onWarning));
    const server = http.createServer((req, res) => res.writeHead(200, { 'keep-alive': 'timeout=99999999', 'content-length': '2' }).end('ok'));
    const port = await listen(server, 'hinting target');
    onTestFinished(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }));
    const connections: unknown[] = [];
    server.on('connection', (socket) => connections.push(socket));
    const gateway = await startGateway({
      personality: 'microgateway',
      target: `http://127.0.0.1:${port}`,
      settings: { honour_keep_alive_hint: true, edgemicro: { port: 0, logging: { dir: tempDir() } } },
    });
    expect((await request(`${gateway.url}/`)).status).toBe(200);
    // Overflowed, the idle timer would fire after 1 ms: a quiet window longer than that.
    await quietFor(20, undefined);
    expect((await request(`${gateway.url}/`)).status).toBe(200);
    expect(connections).toHaveLength(1);
    expect(warnings).toEqual([]);
  });
});
