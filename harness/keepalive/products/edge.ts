/**
 * Apigee Edge's Message Processor, towards the target: keepalive.timeout.millis among the
 * TargetEndpoint's HTTPTargetConnection properties, 60000 ms by default.
 */
import { millis, type Preset } from './types.ts';

export const EDGE_KEEPALIVE_TIMEOUT_MS = 60_000;

export const edgeKnob = millis(
  'keepalive.timeout.millis',
  "the TargetEndpoint's HTTPTargetConnection <Properties>",
  (value) => `<Property name="keepalive.timeout.millis">${value}</Property>`,
);

export const edge: Preset = {
  name: 'edge',
  title: 'Apigee Edge Message Processor',
  sources: [
    { title: 'Apigee Edge: Endpoint properties reference (keepalive.timeout.millis)', url: 'https://docs.apigee.com/api-platform/reference/endpoint-properties-reference' },
  ],
  settings: ['keepalive.timeout.millis'],
  client: () => ({
    idleMs: EDGE_KEEPALIVE_TIMEOUT_MS,
    idleFrom: "Apigee Edge's default keepalive.timeout.millis",
    knob: edgeKnob,
    honoursHint: false,
    hintFrom: 'assumed: Apigee documents no use of the Keep-Alive hint by the Message Processor',
    retries: { get: false, post: false, why: "assumed: the Message Processor answers 502 (the Edge document's Unexpected EOF at target); Apigee documents retries only across a LoadBalancer's servers" },
  }),
};
