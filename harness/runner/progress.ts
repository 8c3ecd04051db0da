/**
 * A live progress bar for narrated runs that wait long (the products' own 55 s and 5 s): how far
 * into the wait the run is, and the last thing that happened on the wire, so a room knows what it
 * is waiting for. Only on a terminal; the narration's lines are written above it as they happen.
 */
import cliProgress from 'cli-progress';
import { describeEvent, who } from './narrate.ts';
import type { TraceSink } from '../trace.ts';
import { now } from '../trace.ts';

export interface LiveProgress {
  onTrace: TraceSink;
  /** Writes narration to stdout above the bar (the bar redraws itself below). */
  writeAbove(text: string): void;
  stop(): void;
}


export function startProgress(title: string, expectedMs: number, stream: NodeJS.WriteStream = process.stderr): LiveProgress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${title} {bar} {elapsed}/{expected} s  {what}`,
      hideCursor: true,
      clearOnComplete: true,
      barsize: 24,
      // Redrawn on every tick, so that a line written above it never leaves it erased.
      forceRedraw: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = now();
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  let what = 'starting';
  bar.start(expectedMs, 0, { elapsed: '0.0', expected: seconds(expectedMs), what });
  const tick = setInterval(() => {
    const elapsed = now() - started;
    bar.update(Math.min(elapsed, expectedMs), { elapsed: seconds(elapsed), what });
  }, 200);
  return {
    onTrace(event) {
      what = `last: ${who[event.source]} ${describeEvent({ ...event, t: 0 })}`.slice(0, 90);
    },
    writeAbove(text) {
      if (process.stdout.isTTY && stream.isTTY) stream.write('\r\x1b[2K');
      process.stdout.write(text);
    },
    stop() {
      clearInterval(tick);
      bar.stop();
    },
  };
}
