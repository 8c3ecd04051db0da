/**
 * AWS Application Load Balancer. One attribute, the connection idle timeout (60 s by default),
 * applies to client and target connections alike; AWS asks that the target's keep-alive exceed it,
 * because a target that closes first makes the load balancer answer 502.
 */
import { seconds, type Preset } from './types.ts';

const source = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html';
const idle = seconds('idle_timeout.timeout_seconds', 'the load balancer attributes', (value) => `idle_timeout.timeout_seconds = ${value}`);

export const alb: Preset = {
  name: 'alb',
  title: 'AWS Application Load Balancer',
  sources: [{ title: 'Edit attributes for your Application Load Balancer: Connection idle timeout', url: source }],
  settings: ['idle_timeout.timeout_seconds'],
  client: () => ({
    idleMs: 60_000,
    idleFrom: 'ALB connection idle timeout, 60 s by default, for target connections too (AWS docs)',
    knob: idle,
    honoursHint: false,
    hintFrom: 'assumed: AWS documents no use of a Keep-Alive hint from targets',
    retries: { get: false, post: false, why: 'AWS documents a 502 when the target closes first, and no retry' },
  }),
  server: () => ({
    keepAliveMs: 60_000,
    keepAliveFrom: 'ALB connection idle timeout, 60 s by default, for client connections (AWS docs)',
    knob: idle,
    advertisesHint: false,
    hintFrom: 'assumed: AWS documents no Keep-Alive header sent to clients',
    closes: 'silently',
  }),
};
