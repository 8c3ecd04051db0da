/**
 * A scenario's story names the values of the run it tells, never numbers of its own: holes such
 * as {backend.idleTimeoutMs}, {gateway.io.timeout.millis} or {relay.holdFinMs} are filled with the
 * resolved settings of the run ("300 ms" in the short timings, "5 s" in real time). Every hole is a
 * duration in milliseconds; a hole that names no setting is an error, not a blank.
 */
import { settingValue } from './setting-value.ts';

export interface StorySettings {
  gateway: unknown;
  backend: unknown;
  relay?: { holdFinMs: number } | undefined;
  router?: { readTimeoutMs: number } | undefined;
}

/** 300 → "300 ms", 5000 → "5 s", 1500 → "1500 ms". */
export function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

const HOLE = /\{(gateway|backend|relay|router)\.([^}]+)\}/g;

/** The names of the holes a story uses, e.g. ["backend.idleTimeoutMs"]. */
export function storyHoles(story: string): string[] {
  return [...story.matchAll(HOLE)].map((match) => `${match[1]}.${match[2]}`);
}

export function tellStory(story: string, settings: StorySettings): string {
  return story.replace(HOLE, (hole, side: 'gateway' | 'backend' | 'relay' | 'router', name: string) => {
    const value = settingValue(settings[side], name);
    if (value === undefined) throw new Error(`story hole ${hole}: the run has no such setting`);
    return formatMs(value);
  });
}
