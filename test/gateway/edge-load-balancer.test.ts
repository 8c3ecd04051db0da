/**
 * Edge's LoadBalancer over TargetServers: round robin among the servers in service, a server taken
 * out after MaxFailures failures in a row, and 503 NoActiveTargets ("503 Service Unavailable -
 * NoActiveTargets - HealthCheckFailures") once none is left, with the system.log line the playbook
 * shows for a server reaching its MaxFailures.
 */
import { describe, expect, it } from 'vitest';
import { parseEdgeSettings, readTargetEndpoint } from '../../harness/config/edge.ts';
import { parseConfigText } from '../../harness/config/load-file.ts';
import type { Failure } from '../../harness/gateway/failures.ts';
import { collectLines, request, startBackend, startGateway, tempDir } from '../helpers.ts';

const NO_ACTIVE_TARGETS = '{"fault":{"faultstring":"The Service is temporarily unavailable","detail":{"errorcode":"messaging.adaptors.http.flow.NoActiveTargets"}}}';
const SERVICE_UNAVAILABLE = '{"fault":{"faultstring":"The Service is temporarily unavailable","detail":{"errorcode":"messaging.adaptors.http.flow.ServiceUnavailable"}}}';

type Servers = Record<string, { url: string; IsEnabled?: boolean }>;

/** An edge gateway balancing over the given servers (name → backend URL). */
async function balancing(servers: Servers, maxFailures: number) {
  const TargetServers = Object.fromEntries(
    Object.entries(servers).map(([name, server]) => {
      const url = new URL(server.url);
      return [name, { Host: url.hostname, Port: Number(url.port), ...(server.IsEnabled === undefined ? {} : { IsEnabled: server.IsEnabled }) }];
    }),
  );
  const gateway = await startGateway({
    personality: 'edge',
    target: 'http://balanced.invalid',
    settings: { 'logging.dir': tempDir(), TargetServers, LoadBalancer: { Server: Object.keys(servers), MaxFailures: maxFailures } },
  });
  const failures: Failure[] = [];
  gateway.on('failure', (failure) => failures.push(failure));
  return { gateway, failures, lines: collectLines(gateway) };
}

async function statuses(url: string, count: number): Promise<{ status: number; body: string }[]> {
  const replies = [];
  for (let index = 0; index < count; index++) {
    const { status, body } = await request(`${url}/orders`);
    replies.push({ status, body });
  }
  return replies;
}

describe('edge × LoadBalancer', () => {
  it('every server refused, MaxFailures 1: each failure takes its server out; then 503 NoActiveTargets', async () => {
    const [one, two] = await Promise.all([startBackend('closed-port'), startBackend('closed-port')]);
    const { gateway, failures, lines } = await balancing({ target1: { url: one.url }, target2: { url: two.url } }, 1);
    const replies = await statuses(gateway.url, 3);
    expect(replies).toEqual([
      { status: 503, body: SERVICE_UNAVAILABLE },
      { status: 503, body: SERVICE_UNAVAILABLE },
      { status: 503, body: NO_ACTIVE_TARGETS },
    ]);
    expect(failures.map((failure) => failure.kind)).toEqual(['connect-refused', 'connect-refused', 'no-active-targets']);
    expect(lines).toEqual(
      ['target1', 'target2'].map(
        (name) => `Apigee-Timer-7 WARN  ADAPTORS.HTTP.FLOW - LBServer.incrementFailureCount() : Max failure count(1) reached for server : ${name}{Environment=myorg__test,Application=faultgate__1,Target=default}`,
      ),
    );
  });

  it('every TargetServer IsEnabled false: 503 NoActiveTargets at once, and the target never sees a connection', async () => {
    const healthy = await startBackend('healthy');
    const { gateway } = await balancing({ target1: { url: healthy.url, IsEnabled: false } }, 0);
    const reply = await request(`${gateway.url}/orders`);
    expect([reply.status, reply.body, reply.headers['content-type']]).toEqual([503, NO_ACTIVE_TARGETS, 'application/json']);
    expect(healthy.events.filter((event) => event.kind === 'accepted')).toEqual([]);
  });

  it('round robin over a healthy server and a refusing one, MaxFailures 2: the refusing one is out after its second failure in a row', async () => {
    const [healthy, closed] = await Promise.all([startBackend('healthy'), startBackend('closed-port')]);
    const { gateway, lines } = await balancing({ up: { url: healthy.url }, down: { url: closed.url } }, 2);
    const replies = await statuses(gateway.url, 6);
    expect(replies.map((reply) => reply.status)).toEqual([200, 503, 200, 503, 200, 200]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Max failure count(2) reached for server : down{');
  });

  it('a Server that names no TargetServer, or a MaxFailures below 0, is refused naming the field', () => {
    const servers = { TargetServers: { target1: { Host: '127.0.0.1', Port: 8080 } } };
    expect(() => parseEdgeSettings({ ...servers, LoadBalancer: { Server: ['target1', 'target9'] } })).toThrow(
      'edge settings: LoadBalancer.Server.1: no TargetServer named "target9"; TargetServers: target1',
    );
    expect(() => parseEdgeSettings({ ...servers, LoadBalancer: { Server: ['target1'], MaxFailures: -1 } })).toThrow('LoadBalancer.MaxFailures: must not be negative, got -1');
    expect(() => parseEdgeSettings({ TargetServers: { target1: { Host: '127.0.0.1', Port: 0 } } })).toThrow('TargetServers.target1.Port: a TargetServer port is 1 to 65535, got 0');
  });

  it('a TargetEndpoint file’s <LoadBalancer> becomes the LoadBalancer setting; an element it does not reproduce is named', () => {
    const endpoint = (loadBalancer: string) =>
      readTargetEndpoint(parseConfigText('default.xml', `<TargetEndpoint name="default"><HTTPTargetConnection><LoadBalancer>${loadBalancer}</LoadBalancer><Path>/v1</Path></HTTPTargetConnection></TargetEndpoint>`));
    expect(endpoint('<Algorithm>RoundRobin</Algorithm><Server name="target1"/><Server name="target2"/><MaxFailures>5</MaxFailures>').settings).toEqual({
      LoadBalancer: { Algorithm: 'RoundRobin', Server: ['target1', 'target2'], MaxFailures: 5 },
    });
    expect(endpoint('<Server name="target1"/>').settings).toEqual({ LoadBalancer: { Server: ['target1'] } });
    expect(() => endpoint('<Server name="target1"/><RetryEnabled>true</RetryEnabled>')).toThrow('default.xml: <LoadBalancer>: <RetryEnabled> is not reproduced; known: Algorithm, Server, MaxFailures');
    expect(() => endpoint('<Server name="target1"/><MaxFailures>five</MaxFailures>')).toThrow('default.xml: <LoadBalancer> <MaxFailures>: expected a whole number, got "five"');
  });
});
