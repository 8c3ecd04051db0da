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
      request.once('socket', (socket: Duplex) => connections.get(socket)?.assign(request));
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

function httpsAgent(options: https.AgentOptions, register: Register): http.Agent {
  // One TLS context for every connection: building one loads the root certificates, which costs
  // tens of ms the first time and a quarter of a hung connection's CPU every time after
  // (bench/, hung connections). Made now, not inside the first request's handshake limit.
  const secureContext = tls.createSecureContext({});
  class HttpsTargetAgent extends https.Agent {
    override createConnection(connectOptions: https.RequestOptions, callback?: (error: Error | null, socket: Duplex) => void): Duplex {
      const host = connectOptions.host ?? undefined;
      const port = Number(connectOptions.port);
      const raw = net.connect({ host, port, ...(connectOptions.localAddress ? { localAddress: connectOptions.localAddress } : {}) });
      // https.Agent's own createConnection keeps its TLS session cache; it is given our TCP socket.
      // Node's own options pass through whole (its session cache key among them); TLS runs over `raw`.
      const overRaw = Object.assign({}, connectOptions, { socket: raw, secureContext });
      const socket = super.createConnection(overRaw, callback) as tls.TLSSocket;
      register(raw, socket, true);
      return socket;
    }
  }
  return new HttpsTargetAgent(options);
}
