/**
 * The product presets: every preset × fix direction names only a setting the product really has
 * (or says plainly that it has none), each preset cites its documentation, and a hop that names a
 * product takes its documented defaults and overrides only what it gives.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseChain } from '../../harness/keepalive/chain.ts';
import { fixDirections } from '../../harness/keepalive/fix.ts';
import { presets, productNames, type Preset } from '../../harness/keepalive/products/index.ts';
import { connectionsOf, type Connection } from '../../harness/keepalive/rule.ts';

const one = (yaml: string): Connection => connectionsOf(parseChain('chain.yaml', yaml))[0] as Connection;
const versions = (preset: Preset) => preset.versions ?? [undefined];
const versionLine = (version: string | undefined) => (version ? `\n    version: "${version}"` : '');

describe('every preset', () => {
  it.each(productNames)('%s cites its documentation and lists its settings', (name) => {
    const preset: Preset = presets[name];
    expect(preset.sources.length).toBeGreaterThan(0);
    for (const source of preset.sources) expect(source.url).toMatch(/^https:\/\//);
    expect(preset.client ?? preset.server).toBeDefined();
    for (const version of versions(preset)) {
      const knobs = [preset.client?.(version).knob?.setting, preset.server?.(version).knob.setting].filter((each) => each !== undefined);
      for (const knob of knobs) expect(preset.settings).toContain(knob);
    }
  });

  const cases = productNames.flatMap((name) => versions(presets[name]).flatMap((version) => fixDirections.map((direction) => [name, version ?? '-', direction] as const)));

  it.each(cases)('%s (version %s), fix direction %s: names only a setting the product has', (name, shownVersion, direction) => {
    const preset: Preset = presets[name];
    const version = shownVersion === '-' ? undefined : shownVersion;
    const hop = `product: ${name}${versionLine(version)}`;
    // The product on the side the direction changes, against a hop that makes the connection race.
    const connection =
      direction === 'lower-downstream'
        ? preset.client && one(`hops:\n  - name: p\n    ${hop}\n  - name: u\n    keep_alive_timeout_ms: 1\n`)
        : preset.server && one(`hops:\n  - name: d\n    idle_timeout_ms: 100000000\n  - name: p\n    ${hop}\n`);
    if (!connection) return; // the product has no such side
    if (connection.verdict === 'safe') {
      // Only a hop that reuses no connection at all is safe against a 1 ms keep-alive.
      expect(connection.downstreamIdleMs).toBe(0);
      return;
    }
    const step = connection.fixes.find((each) => each.direction === direction);
    expect(step, connection.fix).toBeDefined();
    if (step?.setting === undefined) {
      expect(step?.text).toMatch(/has no setting|never closes/);
    } else {
      expect(preset.settings).toContain(step.setting);
      expect(step.text).toContain(step.setting);
    }
  });
});

describe('a hop that names a product', () => {
  it('takes its documented defaults and overrides only what it gives', () => {
    const nginxToNode = one('hops:\n  - name: nginx\n    product: nginx\n  - name: app\n    product: node\n');
    expect(nginxToNode).toMatchObject({ downstreamIdleMs: 60000, upstreamKeepAliveMs: 5000, verdict: 'race', retries: { get: true, post: false } });
    expect(nginxToNode.fixes.map((step) => [step.setting, step.value, step.unit])).toEqual([
      ['keepalive_timeout', 4, 's'],
      ['server.keepAliveTimeout', 61000, 'ms'],
    ]);
    const overridden = one('hops:\n  - name: nginx\n    product: nginx\n    idle_timeout_ms: 4000\n  - name: app\n    product: node\n');
    expect(overridden.verdict).toBe('safe');
  });

  it('follows the version where the defaults changed', () => {
    const agent = (version: string) => one(`hops:\n  - name: client\n    product: node\n    version: "${version}"\n  - name: app\n    keep_alive_timeout_ms: 5000\n    advertises_keep_alive_hint: true\n`);
    expect(agent('18')).toMatchObject({ downstreamIdleMs: 0, verdict: 'safe' });
    expect(agent('20')).toMatchObject({ downstreamIdleMs: 5000, effectiveIdleMs: 4000, verdict: 'safe-by-hint' });
    const undici = one('hops:\n  - name: fetch\n    product: undici\n  - name: app\n    product: node\n');
    expect(undici).toMatchObject({ downstreamIdleMs: 4000, effectiveIdleMs: 3000, verdict: 'safe' });
  });

  it('puts AWS advice beside an ALB fix, and says plainly that Microgateway has no target-side setting', () => {
    const alb = one('hops:\n  - name: alb\n    product: alb\n  - name: app\n    product: node\n');
    expect(alb.fixes.map((step) => step.setting)).toEqual(['idle_timeout.timeout_seconds', 'server.keepAliveTimeout']);
    expect(alb.fix).toContain("AWS advises a target keep-alive above the load balancer's idle timeout");
    const mgw = one('hops:\n  - name: mgw\n    product: microgateway\n    version: "3.3.7"\n  - name: app\n    product: node\n');
    expect(mgw.fixes[0]?.text).toContain('mgw has no setting to lower');
    expect(mgw.fixes[1]).toMatchObject({ setting: 'server.keepAliveTimeout', value: 0 });
  });

  it('rejects a version the preset does not know, and a version without a product', () => {
    expect(() => parseChain('c.yaml', 'hops:\n  - name: a\n    product: node\n    version: "12"\n  - name: b\n    product: node\n')).toThrow(/hops\.0\.version \(hop "a"\): node knows 20, 18, 22, got "12"/);
    expect(() => parseChain('c.yaml', 'hops:\n  - name: a\n    version: "20"\n  - name: b\n    product: node\n')).toThrow(/a version needs product:/);
  });
});

describe('docs/keepalive.md', () => {
  it('lists every preset with every source it cites', () => {
    const docs = readFileSync('docs/keepalive.md', 'utf8');
    for (const name of productNames) {
      expect(docs, name).toContain(`| \`${name}\``);
      for (const source of (presets[name] as Preset).sources) expect(docs, `${name}: ${source.url}`).toContain(source.url);
    }
  });
});
