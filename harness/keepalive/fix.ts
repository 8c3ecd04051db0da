/**
 * The fix for a racing connection, in the real products' own settings and both directions where
 * both exist: lower the downstream's idle limit under the upstream's keep-alive, or raise the
 * upstream's keep-alive above the downstream's effective idle time. A value is rounded to the
 * product's unit in the direction that keeps the rule. Where the product has no setting, the fix
 * says so and names what does work.
 */
import type { Hop } from './chain.ts';
import { presets, type Knob, type Preset, type Sourced } from './products/index.ts';

export type FixDirection = 'lower-downstream' | 'raise-upstream';
export const fixDirections: readonly FixDirection[] = ['lower-downstream', 'raise-upstream'];

export interface FixStep {
  direction: FixDirection;
  hop: string;
  /** the setting named: the product's own, or the chain's field for a hop with no product */
  setting: string | undefined;
  /** the value in the setting's unit */
  value: number | undefined;
  unit: 'ms' | 's';
  text: string;
}

/** Room left for the trip back, as Node's agent leaves under a hint; half the timeout when that is 2 s or less. */
export function saferIdleMs(upstreamKeepAliveMs: number): number {
  return upstreamKeepAliveMs > 2000 ? upstreamKeepAliveMs - 1000 : Math.max(1, Math.floor(upstreamKeepAliveMs / 2));
}

const shown = (ms: number) => (Number.isFinite(ms) ? `${ms} ms` : 'no limit');

/** The product's knob behind a value, or the preset's own when the chain gave the value. */
function knobOf(hop: Hop, value: Sourced<number> | undefined, side: 'client' | 'server'): Knob | undefined {
  if (value?.knob) return value.knob;
  if (!hop.product) return undefined;
  const preset: Preset = presets[hop.product];
  return side === 'client' ? preset.client?.(hop.version).knob : preset.server?.(hop.version).knob;
}

function inUnit(ms: number, knob: Knob | undefined, round: 'down' | 'up'): { value: number; unit: 'ms' | 's' } {
  if (knob?.unit !== 's') return { value: ms, unit: 'ms' };
  return { value: round === 'down' ? Math.max(1, Math.floor(ms / 1000)) : Math.ceil(ms / 1000), unit: 's' };
}

function step(direction: FixDirection, hop: Hop, value: Sourced<number> | undefined, knob: Knob | undefined, targetMs: number, verb: string, why: string): FixStep {
  const { value: amount, unit } = inUnit(targetMs, knob, direction === 'lower-downstream' ? 'down' : 'up');
  const field = direction === 'lower-downstream' ? 'idle_timeout_ms' : 'keep_alive_timeout_ms';
  if (!knob) {
    const setting = value?.setting ?? `${field} of hop "${hop.name}"`;
    return { direction, hop: hop.name, setting: field, value: amount, unit, text: `${verb} ${setting} from ${shown(value?.value ?? Number.NaN)} to ${amount} ms, ${why}.` };
  }
  const from = value?.value === undefined ? '' : ` from ${shown(value.value)}`;
  return {
    direction,
    hop: hop.name,
    setting: knob.setting,
    value: amount,
    unit,
    text: `${verb} ${hop.name}'s ${knob.setting} (${knob.where})${from} to ${amount}${unit === 's' ? ' s' : ' ms'}: \`${knob.write(amount)}\`, ${why}.`,
  };
}

export function fixesFor(connection: { downstream: Hop; upstream: Hop; upstreamKeepAliveMs: number; effectiveIdleMs: number }): FixStep[] {
  const { downstream, upstream, upstreamKeepAliveMs, effectiveIdleMs } = connection;
  const steps: FixStep[] = [];
  const lowerKnob = knobOf(downstream, downstream.idleTimeoutMs, 'client');
  const byChain = !downstream.product || (downstream.idleTimeoutMs?.source === 'chain' && !lowerKnob);
  const beforeClose = `so that ${downstream.name} retires idle connections before ${upstream.name} closes them at ${upstreamKeepAliveMs} ms`;
  if (lowerKnob || byChain) {
    steps.push(step('lower-downstream', downstream, downstream.idleTimeoutMs, lowerKnob, saferIdleMs(upstreamKeepAliveMs), 'Lower', beforeClose));
  } else {
    steps.push({ direction: 'lower-downstream', hop: downstream.name, setting: undefined, value: undefined, unit: 'ms', text: `${downstream.name} has no setting to lower: ${downstream.noKnob ?? 'its product documents none'}.` });
  }

  const raiseKnob = knobOf(upstream, upstream.keepAliveTimeoutMs, 'server');
  if (!Number.isFinite(effectiveIdleMs) || (downstream.noKnob && !byChain)) {
    const never = upstream.product === 'node' ? ' (Node: `server.keepAliveTimeout = 0` disables its idle timeout)' : '';
    steps.push({
      direction: 'raise-upstream',
      hop: upstream.name,
      setting: upstream.product === 'node' ? 'server.keepAliveTimeout' : undefined,
      value: upstream.product === 'node' ? 0 : undefined,
      unit: 'ms',
      text: `Raising ${upstream.name}'s keep-alive keeps the rule only if it never closes an idle connection itself${never}, since ${downstream.name} keeps them with no limit of its own.`,
    });
  } else if (raiseKnob || !upstream.product) {
    const aws = downstream.product === 'alb' ? ' (AWS advises a target keep-alive above the load balancer\'s idle timeout)' : '';
    steps.push(step('raise-upstream', upstream, upstream.keepAliveTimeoutMs, raiseKnob, effectiveIdleMs + 1000, 'Or raise', `above ${downstream.name}'s ${effectiveIdleMs} ms${aws}`));
  }
  return steps;
}
