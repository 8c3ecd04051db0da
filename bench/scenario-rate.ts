/**
 * Scenario rate: how many reproductions per second runScenario() sustains, one after another in
 * one process, as a user's CI loop calls it. Only the fast scenarios are timed: those that wait on
 * no limit (their evidence's elapsedMs is under FAST_MS); the others take as long as the limit they
 * demonstrate. Each one runs for WARM_UP_MS, then as many times as fit in MEASURE_MS; every run
 * must be as documented, or the figure does not count.
 *
 * The figure is absolute, so it is printed beside the last recorded one (bench/recorded.json,
 * written by `npm run bench -- scenarios --record`), and a drop below 0.8× of it is a regression:
 * the machine's noise between runs is about ±15 %.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { loadScenarios } from '../harness/runner/load-scenarios.ts';
import { runScenario } from '../harness/runner/run-scenario.ts';
import type { Scenario } from '../harness/runner/scenario.ts';
import { progress, type BenchmarkResult, type Finding } from './lib/report.ts';

const FAST_MS = 100;
const WARM_UP_MS = 500;
const MEASURE_MS = 3000;
/** below this fraction of the recorded rate, the rate has regressed */
const REGRESSION = 0.8;
const RECORDED = new URL('./recorded.json', import.meta.url);

export interface ScenarioRateOptions {
  /** write this run's figures to bench/recorded.json */
  record: boolean;
}

interface Recorded {
  scenarioRate?: { perSecond: Record<string, number>; all: number; loadAverage: string; date: string };
}

function readRecorded(): Recorded {
  try {
    return JSON.parse(readFileSync(RECORDED, 'utf8')) as Recorded;
  } catch {
    return {};
  }
}

/** Runs the scenario back to back for `ms`; resolves to the runs and whether every one was as documented. */
async function loop(scenario: Scenario, ms: number): Promise<{ runs: number; wallMs: number; failed: string[] }> {
  const started = performance.now();
  const failed: string[] = [];
  let runs = 0;
  while (performance.now() - started < ms) {
    const evidence = await runScenario(scenario);
    runs++;
    if (!evidence.ok) failed.push(evidence.problems.join('; '));
  }
  return { runs, wallMs: performance.now() - started, failed };
}

const rate = (runs: number, wallMs: number) => (runs / wallMs) * 1000;
const tenths = (value: number) => Math.round(value * 10) / 10;

export async function runScenarioRate(options: ScenarioRateOptions): Promise<BenchmarkResult> {
  const scenarios = await loadScenarios();
  const fast: Scenario[] = [];
  for (const scenario of scenarios) {
    const probe = await runScenario(scenario);
    if (probe.ok && probe.elapsedMs < FAST_MS) fast.push(scenario);
  }
  const recorded = readRecorded().scenarioRate;
  const rows: string[][] = [];
  const perSecond: Record<string, number> = {};
  let totalRuns = 0;
  let totalMs = 0;
  const failures: string[] = [];
  for (const scenario of fast) {
    progress(`scenario rate: ${scenario.name}`);
    await loop(scenario, WARM_UP_MS);
    const { runs, wallMs, failed } = await loop(scenario, MEASURE_MS);
    failures.push(...failed.map((problem) => `${scenario.name}: ${problem}`));
    perSecond[scenario.name] = rate(runs, wallMs);
    totalRuns += runs;
    totalMs += wallMs;
    const before = recorded?.perSecond[scenario.name];
    rows.push([scenario.name, `${runs}`, `${(wallMs / runs).toFixed(1)} ms`, `${rate(runs, wallMs).toFixed(1)}/s`, before ? `${before.toFixed(1)}/s` : '—', before ? `${(rate(runs, wallMs) / before).toFixed(2)}×` : '—', `${runs - failed.length}/${runs}`]);
  }
  const all = rate(totalRuns, totalMs);
  rows.push(['all fast ones', `${totalRuns}`, `${(totalMs / totalRuns).toFixed(1)} ms`, `${all.toFixed(1)}/s`, recorded ? `${recorded.all.toFixed(1)}/s` : '—', recorded ? `${(all / recorded.all).toFixed(2)}×` : '—', `${totalRuns - failures.length}/${totalRuns}`]);
  const loadAverage = loadavg()[0]?.toFixed(2) ?? '?';
  if (options.record) {
    const next: Recorded = { ...readRecorded(), scenarioRate: { perSecond: Object.fromEntries(Object.entries(perSecond).map(([name, value]) => [name, tenths(value)])), all: tenths(all), loadAverage, date: new Date().toISOString().slice(0, 10) } };
    writeFileSync(RECORDED, `${JSON.stringify(next, null, 2)}\n`);
  }
  const findings: Finding[] = [
    {
      benchmark: 'scenario rate',
      measure: `runScenario, the ${fast.length} fast scenarios back to back, reproductions/s`,
      goal: recorded ? `≥ ${REGRESSION}× the last recorded ${recorded.all.toFixed(1)}/s (load ${recorded.loadAverage}, ${recorded.date})` : 'recorded',
      measured: `${all.toFixed(1)}/s${recorded ? `, ${(all / recorded.all).toFixed(2)}×` : ''} (load ${loadAverage})`,
      met: failures.length > 0 ? false : recorded ? all >= REGRESSION * recorded.all : undefined,
      ...(failures.length > 0 ? { note: `${failures.length} not as documented: ${failures[0]}` } : {}),
    },
  ];
  return {
    findings,
    details: {
      title: `Scenario rate: runScenario() back to back in one process, ${WARM_UP_MS} ms warm-up then ${MEASURE_MS} ms each; the scenarios that wait on no limit (elapsedMs < ${FAST_MS} ms)`,
      head: ['scenario', 'runs', 'per run', 'rate', 'last recorded', 'ratio', 'as documented'],
      rows,
    },
  };
}
