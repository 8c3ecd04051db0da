/**
 * Edge Microgateway (microgateway-core 3.1.6 and 3.3.7). Client side: edgemicro.keep_alive_timeout
 * sets the server's keepAliveTimeout (Node's 5000 ms when unset), and Node's server advertises it.
 * Target side: config-proxy-middleware.js builds http.Agent({ maxSockets, keepAlive: true }) with
 * no timeout: no idle limit, the Keep-Alive hint ignored, and no setting to change either for an
 * http:// target. The Microgateway document attributes the limit to the operating system's TCP
 * keep-alive (two hours on Linux); measured on the real engine (bench/os-keepalive.ts), that
 * keep-alive retires nothing: Node's agent sets its own keep-alive probes on the socket (1 s), a
 * live target's kernel answers them, and the connection stays until the target closes it. So the
 * check takes the engine at its word: no idle limit.
 */
import { millis, type Preset } from './types.ts';


export const microgatewayKeepAlive = millis('edgemicro.keep_alive_timeout', 'the edgemicro: section of org-env-config.yaml', (value) => `keep_alive_timeout: ${value}`);

export const MICROGATEWAY_NO_KNOB =
  "microgateway-core's target agent is http.Agent({ keepAlive: true }) with no idle limit and no setting to give it one (target_idle_timeout is this harness's name, not Microgateway's); " +
  "the document's resolution, the operating system's keep-alive lowered below the target's, changes nothing on the real engine (measured: bench/os-keepalive.ts)";

export const microgateway: Preset = {
  name: 'microgateway',
  title: 'Edge Microgateway (microgateway-core)',
  versions: ['3.1.6', '3.3.7'],
  sources: [
    { title: 'Edge Microgateway 502 Bad Gateway - Socket hang up (the document)', url: 'https://docs.apigee.com/api-platform/troubleshoot/runtime/502-bad-gateway-microgateway' },
    { title: 'microgateway-core lib/config-proxy-middleware.js and lib/gateway.js (3.1.6, 3.3.7)', url: 'https://github.com/apigee/microgateway-core' },
  ],
  settings: ['edgemicro.keep_alive_timeout'],
  client: () => ({
    idleMs: Number.POSITIVE_INFINITY,
    idleFrom:
      "microgateway-core's agent has no idle limit; the operating system's TCP keep-alive the document names retires no connection (measured on the real engine: bench/os-keepalive.ts)",
    knob: undefined,
    noKnob: MICROGATEWAY_NO_KNOB,
    honoursHint: false,
    hintFrom: "microgateway-core's http.Agent({ keepAlive: true }) has no timeout of its own, so Node ignores the hint",
    retries: { get: false, post: false, why: 'microgateway-core answers 502 with the error (the document\'s socket hang up) and sends nothing again' },
  }),
  server: () => ({
    keepAliveMs: 5000,
    keepAliveFrom: "Node's http.Server default keepAliveTimeout, which microgateway-core keeps when edgemicro.keep_alive_timeout is unset",
    knob: microgatewayKeepAlive,
    advertisesHint: true,
    hintFrom: "Node's http.Server sends Keep-Alive: timeout=N and microgateway-core sends no Connection header of its own",
    closes: 'silently',
  }),
};
