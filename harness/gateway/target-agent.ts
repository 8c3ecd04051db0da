/**
 * The gateway's pool of connections to the target: a Node keep-alive agent whose every connection
 * is a TargetConnection (connection.ts), which owns the connection's facts and its limits.
 *
 * What the agent adds to Node's:
 *  - the idle policy is explicit: an idle pooled connection is retired after `idleTimeoutMs`, or
 *    never; and a `Keep-Alive: timeout=N` hint is honoured only when the policy says so. Node's
 *    own agent honours the hint only when it has a `timeout` of its own, which microgateway-core's
 *    agent does not, so that choice has to be a setting here;
 *  - TLS runs over a TCP socket the agent opens itself, so the bytes of the Client Hello can be
 *    counted even when no handshake ever completes;
 *  - begin(request) gives the request's connection the request: that counts the use and arms the
 *    I/O limit. Whoever sends requests through the agent calls it once per request.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { TraceSink } from '../trace.ts';
import { TargetConnection, type TargetPolicy } from './connection.ts';
import { LimitClock, resolutionFor } from './limit-clock.ts';

export type { TargetPolicy } from './connection.ts';

export interface TargetAgent extends http.Agent {
  /**
   * Gives the request its connection (at once when it has its socket, else when it gets it) and
   * returns that connection, or undefined while it has none yet.
   */
  begin(request: http.ClientRequest): TargetConnection | undefined;
}

/** Node's default interval of TCP keep-alive probes on pooled sockets. */
const KEEP_ALIVE_MSECS = 1000;

/** Tracing costs listeners per connection, so it is off unless a sink is given. */
export function createTargetAgent(protocol: 'http' | 'https', policy: TargetPolicy, trace?: TraceSink): TargetAgent {
  const connections = new WeakMap<Duplex, TargetConnection>();
  let nextId = 1;
  // One clock for the io and idle limits of every connection of this agent (limit-clock.ts).
  const clock = new LimitClock(resolutionFor([policy.ioTimeoutMs, policy.idleTimeoutMs]));
  const register = (raw: net.Socket, socket: net.Socket, secure: boolean): void => {
    connections.set(socket, new TargetConnection(nextId++, raw, socket, secure, policy, trace, clock));
  };
  const agentOptions: https.AgentOptions = { keepAlive: true, keepAliveMsecs: KEEP_ALIVE_MSECS, rejectUnauthorized: policy.rejectUnauthorized };
  const agent = protocol === 'https' ? httpsAgent(agentOptions, register) : httpAgent(agentOptions, register);

  // Node's agent calls this on itself when a request is done: the connection's policy replaces it.
  agent.keepSocketAlive = (socket: Duplex) => {
    const connection = connections.get(socket);
    if (!connection?.release()) return false;
    (socket as net.Socket).setKeepAlive(true, KEEP_ALIVE_MSECS);
    (socket as net.Socket).unref();
    return true;
  };
  const begin = (request: http.ClientRequest): TargetConnection | undefined => {
    if (!request.socket) {
      // A request gets its socket once ('socket' comes once): `on` spares `once`'s wrapper objects.
      request.on('socket', (socket: Duplex) => connections.get(socket)?.assign(request));
      return undefined;
    }
    const connection = connections.get(request.socket);
    connection?.assign(request);
    return connection;
  };
  return Object.assign(agent, { begin });
}

type Register = (raw: net.Socket, socket: net.Socket, secure: boolean) => void;

function httpAgent(options: http.AgentOptions, register: Register): http.Agent {
  class HttpTargetAgent extends http.Agent {
    override createConnection(connectOptions: net.TcpNetConnectOpts): Duplex {
      const socket = net.connect(connectOptions);
      register(socket, socket, false);
      return socket;
    }
  }
  return new HttpTargetAgent(options);
}

/**
 * What of a request's connect options reaches TLS. Node's https.Agent hands createConnection the
 * request's whole options (headers, agent, method and some thirty fields, in a dictionary-mode
 * object), and its createConnection and tls.connect each kept a copy for the connection's life:
 * 1.7 KB per connection in heap snapshots of 2 000 hung handshakes, a seventh of what one cost the
 * gateway beyond bare Node (bench/, hung connections). Given a connected socket and a secure
 * context, TLS reads only these:
 * where it connects and whom it verifies (host, port, servername, rejectUnauthorized), what the
 * error of a handshake cut short reports (path, localAddress: the 502 body shows `"path":null`),
 * whether the session may be reused (keepAlive), the agent's key of its session cache (`_agentKey`,
 * which Node's agent sets and reads itself), and the optional fields of tls.connect when set.
 */
const TLS_CONNECT_FIELDS = [
  'host',
  'port',
  'servername',
  'rejectUnauthorized',
  'path',
  'localAddress',
  'keepAlive',
  '_agentKey',
  'checkServerIdentity',
  'minDHSize',
  'ALPNProtocols',
  'session',
  'highWaterMark',
  'requestOCSP',
  'enableTrace',
  'pskCallback',
  'signal',
  'allowHalfOpen',
] as const;

function tlsConnectOptions(connectOptions: https.RequestOptions, socket: net.Socket, secureContext: tls.SecureContext): tls.ConnectionOptions {
  const from = connectOptions as Record<string, unknown>;
  const options: Record<string, unknown> = { socket, secureContext };
  // Only the fields that are set: an explicit undefined would override tls.connect's defaults.
  for (const field of TLS_CONNECT_FIELDS) if (from[field] !== undefined) options[field] = from[field];
  return options;
}

/** The TCP options of Node's agent (Nagle off, TCP keep-alive), for the socket TLS runs over. */
function tcpConnectOptions(connectOptions: https.RequestOptions): net.TcpNetConnectOpts {
  const { host, port, localAddress } = connectOptions;
  const { noDelay, keepAlive, keepAliveInitialDelay } = connectOptions as net.TcpSocketConnectOpts;
  return {
    host: host ?? undefined,
    port: Number(port),
    ...(localAddress ? { localAddress } : {}),
    ...(noDelay === undefined ? {} : { noDelay }),
    ...(keepAlive === undefined ? {} : { keepAlive }),
    ...(keepAliveInitialDelay === undefined ? {} : { keepAliveInitialDelay }),
  };
}

function httpsAgent(options: https.AgentOptions, register: Register): http.Agent {
  // One TLS context for every connection: building one loads the root certificates, which costs
  // tens of ms the first time and a quarter of a hung connection's CPU every time after
  // (bench/, hung connections). Made now, not inside the first request's handshake limit.
  const secureContext = tls.createSecureContext({});
  class HttpsTargetAgent extends https.Agent {
    override createConnection(connectOptions: https.RequestOptions, callback?: (error: Error | null, socket: Duplex) => void): Duplex {
      const raw = net.connect(tcpConnectOptions(connectOptions));
      // https.Agent's own createConnection keeps its TLS session cache; TLS runs over `raw`.
      const socket = super.createConnection(tlsConnectOptions(connectOptions, raw, secureContext), callback) as tls.TLSSocket;
      register(raw, socket, true);
      return socket;
    }
  }
  return new HttpsTargetAgent(options);
}
