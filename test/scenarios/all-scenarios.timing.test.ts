/**
 * Every file in scenarios/ meets its own expectations, timing windows included. A timing file: it
 * runs alone, and runs the scenarios one after another, so no run's timers wait on another's work.
 */
import { expect, it } from 'vitest';
import { loadScenarios } from '../../harness/runner/load-scenarios.ts';
import { runScenario } from '../../harness/runner/run-scenario.ts';

it('every scenario meets its own expectations', async () => {
  for (const scenario of await loadScenarios()) {
    const evidence = await runScenario(scenario);
    expect({ scenario: scenario.name, problems: evidence.problems }).toEqual({ scenario: scenario.name, problems: [] });
  }
});
