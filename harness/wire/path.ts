/**
 * A wire path: the target's side of the network in a namespace of its own, joined to this
 * machine by a veth pair on a /30 nobody else uses, so that every packet between gateway and
 * target crosses a real interface of the kernel. What the runner asks of it — a place for the
 * target to listen, a firewall in front of it, a plain TCP connect (the document's telnet step), a
 * capture — is all here; nothing else in the harness runs `ip`, `nft` or `tcpdump`.
 *
 * Everything it creates it removes on close(), whatever ended the run; what a crashed run left is
 * removed when the next path opens (leftovers.ts).
 */
import net from 'node:net';
import { FaultgateError } from '../errors.ts';
import type { ListenOptions } from '../listen.ts';
import { startCapture, type Capture } from './capture.ts';
import { run, tryRun } from './exec.ts';
import { dropPayloadTo, dropSynTo, type FirewallRule } from './firewall.ts';
import { removeLeftovers } from './leftovers.ts';
import { NamespaceListener } from './listener.ts';
import { nextNames, type PathNames } from './names.ts';
import { claimSubnet, type Subnet } from './subnet.ts';
import { wireUnavailable } from './tools.ts';

export interface TcpConnectResult {
  ok: boolean;
  ms: number;
  error?: string;
}

export interface WirePath {
  readonly names: PathNames;
  readonly gatewayAddress: string;
  readonly targetAddress: string;
  /** where a target listens so that it is behind the path (for server.listen) */
  listenOptions(port?: number): Promise<ListenOptions>;
  /** the Edge document's firewall: the handshake passes, payload towards the port is dropped */
  dropPayloadTo(port: number): Promise<FirewallRule>;
  /** a firewall that drops the SYN itself: a connect to the port is never answered */
  dropSynTo(port: number): Promise<FirewallRule>;
  /** the document's `telnet target port`: does a plain TCP connection open? */
  tcpConnect(port: number, timeoutMs?: number): Promise<TcpConnectResult>;
  /** captures what crosses the gateway's side of the path to and from the port (every port when absent) */
  capture(port: number | undefined, file: string): Promise<Capture>;
  close(): Promise<void>;
}

async function create(names: PathNames, subnet: Subnet): Promise<void> {
  const { namespace, gatewayLink, targetLink } = names;
  await run('ip', ['netns', 'add', namespace]);
  await run('ip', ['-b', '-'], [`link add ${gatewayLink} type veth peer name ${targetLink} netns ${namespace}`, `addr add ${subnet.gatewayAddress}/30 dev ${gatewayLink}`, `link set ${gatewayLink} up`, ''].join('\n'));
  await run('ip', ['-n', namespace, '-b', '-'], [`addr add ${subnet.targetAddress}/30 dev ${targetLink}`, `link set ${targetLink} up`, 'link set lo up', ''].join('\n'));
}

async function destroy(names: PathNames): Promise<void> {
  // Deleting the namespace deletes its end of the veth pair, and with it the other end.
  await tryRun('ip', ['netns', 'del', names.namespace]);
  await tryRun('ip', ['link', 'del', names.gatewayLink]);
}

export async function openWirePath(): Promise<WirePath> {
  const unavailable = wireUnavailable();
  if (unavailable) throw new FaultgateError('E_PRIVILEGE', unavailable);
  await removeLeftovers();
  const names = nextNames();
  const subnet = await claimSubnet(names.namespace);
  try {
    await create(names, subnet);
  } catch (error) {
    await destroy(names);
    subnet.release();
    throw error;
  }
  const listener = new NamespaceListener(names.namespace);
  const rules = new Set<FirewallRule>();
  const captures = new Set<Capture>();
  let closing: Promise<void> | undefined;
  return {
    names,
    gatewayAddress: subnet.gatewayAddress,
    targetAddress: subnet.targetAddress,
    async listenOptions(port = 0) {
      return { host: subnet.targetAddress, handle: await listener.socket(subnet.targetAddress, port) };
    },
    async dropPayloadTo(port) {
      const rule = await dropPayloadTo((args, input) => listener.nft(args, input), port);
      rules.add(rule);
      return rule;
    },
    async dropSynTo(port) {
      const rule = await dropSynTo((args, input) => listener.nft(args, input), port);
      rules.add(rule);
      return rule;
    },
    tcpConnect(port, timeoutMs = 3000) {
      const started = performance.now();
      return new Promise((resolve) => {
        const socket = net.connect({ host: subnet.targetAddress, port, timeout: timeoutMs });
        const done = (result: Omit<TcpConnectResult, 'ms'>) => {
          socket.destroy();
          resolve({ ...result, ms: performance.now() - started });
        };
        socket.once('connect', () => {
          socket.end();
          socket.once('close', () => resolve({ ok: true, ms: performance.now() - started }));
        });
        socket.once('timeout', () => done({ ok: false, error: `no answer within ${timeoutMs} ms` }));
        socket.once('error', (error) => done({ ok: false, error: error.message }));
      });
    },
    async capture(port, file) {
      const capture = await startCapture({ iface: names.gatewayLink, targetAddress: subnet.targetAddress, ...(port === undefined ? {} : { targetPort: port }), file });
      captures.add(capture);
      return capture;
    },
    close() {
      closing ??= (async () => {
        await Promise.allSettled([...captures].map((capture) => capture.stop(0)));
        listener.close();
        await destroy(names);
        subnet.release();
      })();
      return closing;
    },
  };
}
