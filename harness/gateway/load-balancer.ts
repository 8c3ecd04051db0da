/**
 * Edge's LoadBalancer over TargetServers: each request goes to the next server in rotation
 * (RoundRobin) among those in service. A server is out of service when its TargetServer has
 * IsEnabled false, or once MaxFailures requests in a row to it have failed ("Antipattern: Load
 * Balance with a single target server with MaxFailures set to a non-zero value"); with no
 * HealthMonitor nothing brings it back. When no server is left, the Message Processor answers
 * NoActiveTargets. Not reproduced: RetryEnabled (Edge sends a failed request on to the next
 * server), HealthMonitor, the Weighted and LeastConnections algorithms, IsFallback.
 */
import type { EdgeSettings } from '../config/edge.ts';

export interface BalancedServer {
  /** the TargetServer's name */
  readonly name: string;
  /** where requests to it go: the target's scheme, the TargetServer's Host and Port */
  readonly url: string;
}

export interface TargetBalancer {
  /** The next server in rotation that is in service, or undefined when none is. */
  pick(): BalancedServer | undefined;
  /** A request to the server failed (an I/O error or a timeout): true when that took it out of service. */
  failed(name: string): boolean;
  /** A response came from the server: its failures in a row start again from 0. */
  succeeded(name: string): void;
  readonly maxFailures: number;
  /** one sentence, for narration */
  describe(): string;
}

interface ServerState extends BalancedServer {
  enabled: boolean;
  failures: number;
}

/** A TargetServer's URL: the target's scheme, its Host and Port (the target's own where it gives none). */
function serverUrl(target: URL, host = target.hostname, port: number | string = target.port || (target.protocol === 'https:' ? 443 : 80)): string {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${target.protocol}//${bracketed}:${port}`;
}

/** The balancer the settings describe, or undefined when the TargetEndpoint has no LoadBalancer. */
export function createLoadBalancer(settings: EdgeSettings, target: URL): TargetBalancer | undefined {
  const balancer = settings.LoadBalancer;
  if (!balancer) return undefined;
  const servers: ServerState[] = balancer.Server.map((name) => {
    // The schema has checked that every name is defined; a missing one is out of service.
    const server = settings.TargetServers?.[name];
    return { name, url: serverUrl(target, server?.Host, server?.Port), enabled: server?.IsEnabled ?? false, failures: 0 };
  });
  const maxFailures = balancer.MaxFailures;
  const inService = (server: ServerState) => server.enabled && (maxFailures === 0 || server.failures < maxFailures);
  let next = 0;
  const byName = (name: string) => servers.find((server) => server.name === name);
  return {
    maxFailures,
    pick() {
      for (let tried = 0; tried < servers.length; tried++) {
        const server = servers[(next + tried) % servers.length]!;
        if (!inService(server)) continue;
        next = (next + tried + 1) % servers.length;
        return server;
      }
      return undefined;
    },
    failed(name) {
      const server = byName(name);
      if (!server || maxFailures === 0 || !inService(server)) return false;
      server.failures++;
      return !inService(server);
    },
    succeeded(name) {
      const server = byName(name);
      if (server && inService(server)) server.failures = 0;
    },
    describe: () =>
      `LoadBalancer RoundRobin over ${servers.map((server) => `${server.name}${server.enabled ? '' : ' (IsEnabled false)'}`).join(', ')}, MaxFailures=${maxFailures}`,
  };
}
