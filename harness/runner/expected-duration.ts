/**
 * How long a scenario is expected to take: its client's pauses plus the gateway limit it waits
 * for (the answeredAt setting). Used to size progress bars, never to wait.
 */
import { personalities } from '../gateway/personalities.ts';
import { resolveDuration, resolveDurations } from './duration.ts';
import { settingValue } from './run-scenario.ts';
import type { Scenario } from './scenario.ts';

export function expectedDurationMs(scenario: Scenario, realTime: boolean): number {
  let total = 0;
  for (const step of scenario.client) if ('idle' in step) total += resolveDuration(step.idle.ms, realTime);
  const setting = scenario.expect.answeredAt?.setting;
  if (setting) {
    const settings = personalities[scenario.gateway.personality].parseSettings(resolveDurations(scenario.gateway.settings, realTime));
    total += settingValue(settings, setting) ?? 0;
  }
  return total;
}
