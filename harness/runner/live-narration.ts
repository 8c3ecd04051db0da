/**
 * The narration of one run as it happens: the header (document, cause, story, each hop's
 * configuration) the moment everything is started, each timeline line the moment its event is
 * recorded, and the answer, log lines and verdict once the run is over. A room watching a 55 s
 * limit sees the Client Hello leave at once and the 502 when it comes.
 */
import pc from 'picocolors';
import type { TraceEvent } from '../trace.ts';
import { narrateHeader, narrateOutcome, timelineNarrator } from './narrate.ts';
import type { Evidence, RunSetup } from './run-scenario.ts';
import type { Scenario } from './scenario.ts';

type Colors = ReturnType<typeof pc.createColors>;

export interface LiveNarration {
  onReady(setup: RunSetup): void;
  onTrace(event: TraceEvent): void;
  finish(evidence: Evidence): void;
}

export function liveNarration(scenario: Scenario, print: (text: string) => void, c: Colors = pc): LiveNarration {
  let startedAt: number | undefined;
  const early: TraceEvent[] = [];
  const narrator = timelineNarrator(c);
  const say = (lines: string[]) => {
    if (lines.length > 0) print(`${lines.join('\n')}\n`);
  };
  const tell = (origin: number, { at, ...event }: TraceEvent) => say(narrator({ ...event, t: at - origin }));
  return {
    onReady(setup) {
      startedAt = setup.startedAt;
      say(narrateHeader(scenario, setup, c));
      for (const event of early.splice(0)) tell(setup.startedAt, event);
    },
    onTrace(event) {
      if (startedAt === undefined) early.push(event);
      else tell(startedAt, event);
    },
    finish(evidence) {
      say([...narrateOutcome(scenario, evidence, c), '']);
    },
  };
}
