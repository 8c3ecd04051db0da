/**
 * The check: the document's rule per connection (with Node's hint rule), the values read from a
 * real-shaped org-env-config.yaml and TargetEndpoint XML with their defaults named, and every kind
 * of bad input as one line naming the file and the field.
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFaultgateError } from '../../harness/errors.ts';
import { loadChain, parseChain } from '../../harness/keepalive/chain.ts';
import { hintRetirement } from '../../harness/gateway/keep-alive-hint.ts';
import { connectionsOf, defaultedValues, type Connection } from '../../harness/keepalive/rule.ts';
import { tempDir } from '../helpers.ts';

/** A two-hop chain's one connection, from chain YAML. */
function connection(yaml: string): Connection {
  return connectionsOf(parseChain('chain.yaml', yaml))[0] as Connection;
}

const twoHops = (downstream: string, upstream: string) => `hops:\n  - name: gw\n${downstream}\n  - name: target\n${upstream}\n`;

/** The one-line message a bad chain gives. */
function problemWith(file: string): string {
  try {
    loadChain(file);
  } catch (error) {
    if (isFaultgateError(error)) return error.message;
    throw error;
  }
  throw new Error(`${file} loaded without a problem`);
}

describe('the rule, per connection', () => {
  it.each([
    ['downstream sooner', 4000, 5000, 'safe', 1000],
    ['downstream later', 7200000, 5000, 'race', -7195000],
    ['equal values', 5000, 5000, 'equal', 0],
  ] as const)('%s: %i ms against %i ms is %s, margin %i ms', (_, idle, keepAlive, verdict, margin) => {
    const result = connection(twoHops(`    idle_timeout_ms: ${idle}`, `    keep_alive_timeout_ms: ${keepAlive}`));
    expect(result.verdict).toBe(verdict);
    expect(result.marginMs).toBe(margin);
  });

  it("applies Node's hint rule only when the hint is advertised and honoured", () => {
    const hinted = (honours: boolean, advertises: boolean, seconds?: number) =>
      connection(
        twoHops(
          `    idle_timeout_ms: 7200000\n    honours_keep_alive_hint: ${honours}`,
          `    keep_alive_timeout_ms: 5000\n    advertises_keep_alive_hint: ${advertises}${seconds === undefined ? '' : `\n    keep_alive_hint_seconds: ${seconds}`}`,
        ),
      );
    expect(hinted(true, true)).toMatchObject({ verdict: 'safe-by-hint', effectiveIdleMs: 4000, marginMs: 1000, hint: { seconds: 5, retiresAtMs: 4000 } });
    expect(hinted(false, true).verdict).toBe('race');
    expect(hinted(true, false).verdict).toBe('race');
    // A hint longer than the timeout itself does not help; one of a second means no reuse at all.
    expect(hinted(true, true, 10).verdict).toBe('race');
    expect(hinted(true, true, 6)).toMatchObject({ verdict: 'equal', effectiveIdleMs: 5000 });
    expect(hinted(true, true, 1)).toMatchObject({ verdict: 'safe-by-hint', effectiveIdleMs: 0, marginMs: 5000 });
    expect([hintRetirement(0), hintRetirement(1), hintRetirement(2), hintRetirement(65)]).toEqual([0, 0, 1000, 64000]);
  });

  it('names the setting to change and a value that keeps the rule', () => {
    const result = connection(twoHops('    idle_timeout_ms: 5000', '    keep_alive_timeout_ms: 5000'));
    expect(result.fixes.map((step) => step.text)).toEqual([
      'Lower idle_timeout_ms of hop "gw" in chain.yaml from 5000 ms to 4000 ms, so that gw retires idle connections before target closes them at 5000 ms.',
      'Or raise keep_alive_timeout_ms of hop "target" in chain.yaml from 5000 ms to 6000 ms, above gw\'s 5000 ms.',
    ]);
    const short = connection(twoHops('    idle_timeout_ms: 3000', '    keep_alive_timeout_ms: 1500'));
    expect(short.fix).toContain('from 3000 ms to 750 ms');
    expect(connection(twoHops('    idle_timeout_ms: 1000', '    keep_alive_timeout_ms: 1500')).fix).toBeUndefined();
  });

  it('judges each connection of a longer chain on its own', () => {
    const connections = connectionsOf(loadChain('examples/chains/three-hops-fault-first.yaml'));
    expect(connections.map((c) => [c.downstream.name, c.upstream.name, c.verdict])).toEqual([
      ['load-balancer', 'microgateway', 'race'],
      ['microgateway', 'target', 'safe'],
    ]);
  });
});

describe('values from real configuration files', () => {
  it("reads an org-env-config.yaml: the client side from edgemicro.keep_alive_timeout, the target side from the document's OS default", () => {
    const [first, second] = connectionsOf(loadChain('examples/chains/three-hops-fault-second.yaml'));
    const microgateway = first?.upstream;
    expect(microgateway?.product).toBe('microgateway');
    expect(microgateway?.keepAliveTimeoutMs).toMatchObject({ value: 65000, source: 'config', from: 'examples/configs/org-env-config.yaml:21: edgemicro.keep_alive_timeout' });
    // No idle limit: microgateway-core's agent has none, and the OS keep-alive retires nothing (bench/os-keepalive.ts).
    expect(second?.downstream.idleTimeoutMs).toMatchObject({ value: Number.POSITIVE_INFINITY, source: 'default' });
    // microgateway-core has no setting for its target side: the fix says so rather than name one.
    expect(second?.fixes.map((step) => step.setting)).toEqual([undefined, undefined]);
    expect(second?.fix).toContain('microgateway has no setting to lower');
    expect(second?.fix).not.toContain('target_idle_timeout in');
  });

  it("reads a TargetEndpoint's keepalive.timeout.millis, and uses Edge's 60000 where it is absent", () => {
    const [fromFile] = connectionsOf(loadChain('examples/chains/hint-not-honoured.yaml'));
    expect(fromFile?.downstream.idleTimeoutMs).toMatchObject({ value: 70000, source: 'config', from: 'examples/configs/target-endpoint.xml:20: HTTPTargetConnection property keepalive.timeout.millis' });
    expect(fromFile?.fixes[0]?.text).toBe(
      "Lower edge's keepalive.timeout.millis (examples/configs/target-endpoint.xml:20) from 70000 ms to 59000 ms: `<Property name=\"keepalive.timeout.millis\">59000</Property>`, so that edge retires idle connections before target closes them at 60000 ms.",
    );

    const dir = tempDir();
    writeFileSync(
      join(dir, 'default.xml'),
      '<TargetEndpoint name="default"><HTTPTargetConnection><Properties><Property name="io.timeout.millis">55000</Property></Properties><URL>http://x</URL></HTTPTargetConnection></TargetEndpoint>',
    );
    writeFileSync(join(dir, 'chain.yaml'), 'hops:\n  - name: edge\n    config: default.xml\n  - name: target\n    keep_alive_timeout_ms: 75000\n');
    const [defaulted] = connectionsOf(loadChain(join(dir, 'chain.yaml')));
    expect(defaulted?.downstream.idleTimeoutMs).toMatchObject({ value: 60000, source: 'default', from: "Apigee Edge's default keepalive.timeout.millis" });
    expect(defaulted?.verdict).toBe('safe');
  });

  it('lists every defaulted value a connection uses, with its authority', () => {
    const defaulted = defaultedValues(connectionsOf(loadChain('examples/chains/defaults-only.yaml')));
    expect(defaulted.map(({ hop, field, value }) => `${hop}.${field}=${value}`).sort()).toEqual([
      'microgateway.honours_keep_alive_hint=false',
      'microgateway.idle_timeout_ms=Infinity',
      'target.advertises_keep_alive_hint=true',
      'target.keep_alive_hint_seconds=5',
      'target.keep_alive_timeout_ms=5000',
    ]);
    expect(defaulted.find((value) => value.field === 'idle_timeout_ms')?.from).toContain('retires no connection (measured on the real engine');
  });

  it('lets a value written in the chain win over the file', () => {
    const [, second] = connectionsOf(loadChain('examples/chains/aligned.yaml'));
    expect(second?.downstream.idleTimeoutMs).toMatchObject({ value: 4000, source: 'chain' });
  });
});

describe('bad input: one line naming the file and the field', () => {
  const write = (dir: string, name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it.each([
    ['a missing hop value', 'hops:\n  - name: lb\n    idle_timeout_ms: 60000\n  - name: target\n', /^.+chain\.yaml: hops\.1\.keep_alive_timeout_ms \(hop "target"\): missing: how long this hop keeps an idle connection from the previous hop/],
    ['a negative timeout', 'hops:\n  - name: lb\n    idle_timeout_ms: -5\n  - name: target\n    keep_alive_timeout_ms: 5000\n', /^.+chain\.yaml: hops\.0\.idle_timeout_ms \(hop "lb"\): must not be negative \(milliseconds\), got -5$/],
    ['a misspelt field', 'hops:\n  - name: lb\n    idle_timeout: 5\n  - name: target\n    keep_alive_timeout_ms: 5000\n', /^.+chain\.yaml: hops\.0 \(hop "lb"\): unknown field "idle_timeout"; known: name, config/],
    ['a config file that does not exist', 'hops:\n  - name: mgw\n    config: nope.yaml\n  - name: target\n    keep_alive_timeout_ms: 5000\n', /^.+chain\.yaml: hops\.0\.config \(hop "mgw"\): .+nope\.yaml: no such file$/],
    ['a config file that does not parse', 'hops:\n  - name: mgw\n    config: broken.yaml\n  - name: target\n    keep_alive_timeout_ms: 5000\n', /^.+chain\.yaml: hops\.0\.config \(hop "mgw"\): .+broken\.yaml: is not valid YAML/],
    ['an XML file that does not parse', 'hops:\n  - name: edge\n    config: broken.xml\n  - name: target\n    keep_alive_timeout_ms: 5000\n', /^.+chain\.yaml: hops\.0\.config \(hop "edge"\): .+broken\.xml: is not valid XML \(line 1\)/],
    ['a config file with a bad value', 'hops:\n  - name: mgw\n    config: negative.yaml\n  - name: target\n    keep_alive_timeout_ms: 5000\n', /^.+chain\.yaml: hops\.0\.config \(hop "mgw"\): .+negative\.yaml: edgemicro\.keep_alive_timeout: must not be negative \(milliseconds\)/],
    ['a file that is neither product', 'hops:\n  - name: mgw\n    config: other.yaml\n  - name: target\n    keep_alive_timeout_ms: 5000\n', /^.+chain\.yaml: hops\.0\.config \(hop "mgw"\): .+other\.yaml: not a file faultgate knows/],
    ['a single hop', 'hops:\n  - name: lb\n    idle_timeout_ms: 5000\n', /^.+chain\.yaml: hops: expected at least two hops/],
    ['two hops of one name', 'hops:\n  - name: a\n    idle_timeout_ms: 1000\n  - name: a\n    keep_alive_timeout_ms: 5000\n', /^.+chain\.yaml: hops\.1\.name \(hop "a"\): "a" names two hops/],
    ['a chain that does not parse', 'hops: [\n', /^.+chain\.yaml: is not valid YAML/],
    ['an empty chain', '', /^.+chain\.yaml: expected a mapping with a list of hops \(hops:\)$/],
  ])('%s', (_, text, expected) => {
    const dir = tempDir();
    write(dir, 'broken.yaml', 'edgemicro:\n  keep_alive_timeout: [1,\n');
    write(dir, 'broken.xml', '<TargetEndpoint><HTTPTargetConnection><Properties></HTTPTargetConnection></TargetEndpoint>\n');
    write(dir, 'negative.yaml', 'edgemicro:\n  keep_alive_timeout: -3\n');
    write(dir, 'other.yaml', 'server:\n  port: 80\n');
    const message = problemWith(write(dir, 'chain.yaml', text));
    expect(message).toMatch(expected);
    expect(message).not.toContain('\n');
  });

  it('names a missing chain file', () => {
    const file = join(relative(process.cwd(), tempDir()), 'absent.yaml');
    expect(problemWith(file)).toBe(`${file}: no such file`);
  });
});
