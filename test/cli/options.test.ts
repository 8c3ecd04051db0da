/**
 * What the standalone commands accept, checked where they check it, before anything starts: the
 * one-line message for each bad value (the command prints it after `faultgate: ` and exits 2, as
 * bad-input.test.ts shows for a few in child processes), and config files in the products' own
 * shapes: an edgemicro YAML and an Edge TargetEndpoint XML, the latter also through the command.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveBackendOptions } from '../../harness/cli/commands/backend.ts';
import { parseRouterTimeout, resolveGatewayOptions, type GatewayCommandOptions } from '../../harness/cli/commands/gateway.ts';
import { parsePort } from '../../harness/cli/options.ts';
import { runCli, tempDir } from '../helpers.ts';

const gateway = (options: Partial<GatewayCommandOptions>) => () =>
  resolveGatewayOptions({ host: '127.0.0.1', set: [], target: 'http://127.0.0.1:9', ...options }, {});

const TARGET_ENDPOINT = `<TargetEndpoint name="default">
  <HTTPTargetConnection>
    <Properties>
      <Property name="connect.timeout.millis">2000</Property>
      <Property name="io.timeout.millis">1000</Property>
      <Property name="keepalive.timeout.millis">30000</Property>
      <Property name="supports.http10">true</Property>
    </Properties>
    <URL>https://127.0.0.1:8443</URL>
  </HTTPTargetConnection>
</TargetEndpoint>
`;

describe('bad values, each one line naming the value and what is accepted', () => {
  it('--router: a whole number of milliseconds, for the edge personality only', () => {
    expect(parseRouterTimeout('57000')).toBe(57000);
    expect(() => parseRouterTimeout('57s')).toThrow("--router 57s: expected the Router's read timeout in whole milliseconds (Edge's default: 57000)");
    expect(gateway({ personality: 'microgateway', router: 500 })).toThrow("--router: Edge's Router fronts the edge personality, not microgateway");
    expect(gateway({ personality: 'edge', router: 500 })()).toMatchObject({ personality: 'edge', router: { readTimeoutMs: 500 } });
  });

  it('a microgateway request_timeout below 1 names the key and the unit', () => {
    expect(gateway({ personality: 'microgateway', set: ['edgemicro.request_timeout=0'] })).toThrow(
      /^microgateway settings: edgemicro\.request_timeout: must be more than 0 seconds(, got 0)?$/,
    );
  });

  it('a microgateway logging level that does not exist names the levels', () => {
    expect(gateway({ personality: 'microgateway', set: ['edgemicro.logging.level=verbose'] })).toThrow(
      /^microgateway settings: edgemicro\.logging\.level: expected one of none, error, warn, info, debug, trace(, got "verbose")?$/,
    );
  });

  it('a setting the personality does not have names it and the known ones', () => {
    expect(gateway({ personality: 'edge', set: ['io.timeout.milis=5'] })).toThrow(
      '--set io.timeout.milis: personality edge has no such setting; known: connect.timeout.millis, io.timeout.millis, keepalive.timeout.millis, logging.dir, org, env, api, rev, HTTPRequest.body.buffer.limit, HTTPResponse.headers.limit, HTTPResponse.body.buffer.limit, keepalive.honour.hint, debug.message.id.header',
    );
  });

  it('a debug header setting that is not true or false names the field', () => {
    expect(gateway({ personality: 'edge', set: ['debug.message.id.header=yes'] })).toThrow(/^edge settings: debug\.message\.id\.header: expected true or false(, got "yes")?$/);
  });

  it('a target that is not an http(s) URL names it', () => {
    expect(gateway({ personality: 'edge', target: 'tcp://127.0.0.1:9' })).toThrow('target "tcp://127.0.0.1:9": expected an http:// or https:// URL');
    expect(gateway({ personality: 'edge', target: 'not a url' })).toThrow('target "not a url": not a URL; expected http://host:port or https://host:port');
  });

  it('a missing --personality or --target says which values are accepted', () => {
    expect(gateway({})).toThrow('--personality is required: one of edge, microgateway');
    expect(() => resolveGatewayOptions({ host: '127.0.0.1', set: [], personality: 'edge' }, {})).toThrow(
      '--target is required: the URL of the backend to front, e.g. --target http://127.0.0.1:8080',
    );
  });

  it('a port that is not a number names it and the range', () => {
    expect(() => parsePort('eighty')).toThrow('--port eighty: expected a port number from 0 to 65535 (0: any free port)');
    expect(() => parsePort('70000')).toThrow('--port 70000: expected a port number from 0 to 65535 (0: any free port)');
    expect(() => parsePort('-1')).toThrow('--port -1: expected a port number from 0 to 65535 (0: any free port)');
  });

  it('a backend setting names the setting and the value; an unknown one names the known ones', () => {
    expect(() => resolveBackendOptions('idle-closer', { host: '127.0.0.1', set: ['idleTimeoutMs=-3'] }, {})).toThrow(/^backend idle-closer: idleTimeoutMs: .+, got -3$/);
    expect(() => resolveBackendOptions('idle-closer', { host: '127.0.0.1', set: ['idle=3'] }, {})).toThrow(
      '--set idle: backend idle-closer has no such setting; known: idleTimeoutMs, advertiseKeepAliveHint, hintSeconds, tls, body',
    );
  });

  it('a config path that is a folder names it', () => {
    const folder = join(tempDir(), 'config.yaml');
    mkdirSync(folder);
    expect(gateway({ personality: 'microgateway', config: folder })).toThrow(`${folder}: is a folder, expected a file`);
  });

  it('a malformed TargetEndpoint XML names the file and the line', () => {
    const file = join(tempDir(), 'default.xml');
    writeFileSync(file, '<TargetEndpoint name="default">\n  <HTTPTargetConnection>\n    <URL>https://127.0.0.1:9</URL>\n</TargetEndpoint>\n');
    expect(gateway({ personality: 'edge', config: file, target: undefined })).toThrow(new RegExp(`^${file}: is not valid XML \\(line 4\\): `));
  });

  it('a TargetEndpoint whose property is not a number names the property and the value', () => {
    const file = join(tempDir(), 'default.xml');
    writeFileSync(file, TARGET_ENDPOINT.replace('>1000<', '>soon<'));
    expect(gateway({ personality: 'edge', config: file })).toThrow(`${file}: Property io.timeout.millis: expected a whole number of milliseconds, got "soon"`);
  });

  it('an XML config for the microgateway personality is refused, naming the personality it is for', () => {
    const file = join(tempDir(), 'default.xml');
    writeFileSync(file, TARGET_ENDPOINT);
    expect(gateway({ personality: 'microgateway', config: file })).toThrow(`${file}: an XML TargetEndpoint configures the edge personality, not microgateway`);
  });

  it('a YAML config with a bad value names the file and the key', () => {
    const file = join(tempDir(), 'myorg-test-config.yaml');
    writeFileSync(file, 'edgemicro:\n  request_timeout: soon\n');
    expect(gateway({ personality: 'microgateway', config: file })).toThrow(
      new RegExp(`^${file}: edgemicro\\.request_timeout: expected a whole number of seconds(, got "soon")?$`),
    );
  });
});

describe('config files in the products own shapes', () => {
  it('an edgemicro YAML: its keys are read, and --set wins over them', () => {
    const file = join(tempDir(), 'myorg-test-config.yaml');
    writeFileSync(file, 'edgemicro:\n  port: 8000\n  request_timeout: 5\n  logging:\n    level: error\n    dir: /var/tmp\nheaders:\n  x-forwarded-for: true\n');
    const resolved = resolveGatewayOptions(
      { host: '127.0.0.1', set: ['edgemicro.request_timeout=2'], personality: 'microgateway', target: 'http://127.0.0.1:9', config: file },
      {},
    );
    expect(resolved.settings).toEqual({
      edgemicro: { port: 8000, request_timeout: 2, logging: { level: 'error', dir: '/var/tmp' } },
      headers: { 'x-forwarded-for': true },
    });
  });

  it('an Edge TargetEndpoint XML: its properties become the settings and its URL the target', () => {
    const file = join(tempDir(), 'default.xml');
    writeFileSync(file, TARGET_ENDPOINT);
    const resolved = resolveGatewayOptions({ host: '127.0.0.1', set: [], personality: 'edge', config: file }, {});
    expect(resolved.target).toBe('https://127.0.0.1:8443');
    expect(resolved.settings).toEqual({ 'connect.timeout.millis': 2000, 'io.timeout.millis': 1000, 'keepalive.timeout.millis': 30000 });
  });

  it('faultgate gateway --config <TargetEndpoint XML> --check: accepted, with Edge defaults for what the file leaves out', async () => {
    const file = join(tempDir(), 'default.xml');
    writeFileSync(file, TARGET_ENDPOINT);
    const result = await runCli(['gateway', '--personality', 'edge', '--config', file, '--set', 'org=acme', '--check']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      personality: 'edge',
      target: 'https://127.0.0.1:8443',
      port: null,
      host: '127.0.0.1',
      settings: {
        'connect.timeout.millis': 2000,
        'io.timeout.millis': 1000,
        'keepalive.timeout.millis': 30000,
        'logging.dir': '/opt/apigee/var/log/edge-message-processor',
        org: 'acme',
        env: 'test',
        api: 'faultgate',
        rev: 1,
        'HTTPRequest.body.buffer.limit': 10 * 1024 * 1024,
        'HTTPResponse.headers.limit': 25_600,
        'HTTPResponse.body.buffer.limit': 10 * 1024 * 1024,
        'keepalive.honour.hint': false,
        'debug.message.id.header': false,
      },
    });
  });
});
