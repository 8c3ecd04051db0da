/**
 * What a product preset knows about one product: its documented keep-alive defaults on each side,
 * what it does with a Keep-Alive hint, how it closes an idle connection, which requests it retries
 * when a reused connection fails, the settings it really has (the only ones a fix may name), and
 * the documentation all of that comes from. One file per product beside this one.
 */

/** A value and where it came from, so the report can say which ones were defaulted and on whose authority. */
export type ValueSource = 'chain' | 'config' | 'default';

export interface Sourced<T> {
  value: T;
  source: ValueSource;
  /** the file and line (or field) it was read from, or the authority for the default */
  from: string;
  /** the setting a fix should change to move this value, as a sentence fragment */
  setting: string;
  /** the product's own setting behind the value, when a product stands behind the hop */
  knob?: Knob | undefined;
  /** the file the knob is written in, when the value was read from one */
  file?: string | undefined;
}

/** A setting the product really has, and how a value is written in its own syntax. */
export interface Knob {
  /** the product's own name for it (a directive, a property, an attribute, an option) */
  setting: string;
  /** where it goes, e.g. "the upstream block of nginx.conf" */
  where: string;
  /** the unit the product takes: a fix rounds the value to it, in the direction that keeps the rule */
  unit: 'ms' | 's';
  /** the line as the user would write it */
  write(value: number): string;
}

/** What a hop does when a request fails on a connection it reused (the upstream closed it). */
export interface RetryPolicy {
  /** an idempotent request (GET) is sent again on a new connection */
  get: boolean;
  /** a non-idempotent request (POST) is sent again */
  post: boolean;
  /** why, in one sentence, with its authority */
  why: string;
  /** the product's setting that changes it, when it has one */
  setting?: string | undefined;
}

export type CloseStyle = 'silently' | 'with Connection: close';

/** The hop's pool of connections to the next hop. */
export interface ClientSide {
  /** how long it keeps an idle connection; Infinity: no limit of its own */
  idleMs: number;
  idleFrom: string;
  /** the setting that lowers it; undefined when the product has none */
  knob: Knob | undefined;
  /** what to say, plainly, when there is no knob, and what works instead */
  noKnob?: string | undefined;
  honoursHint: boolean;
  /** a hint of N s retires the connection at N s less this (Node's agent: 1000 ms) */
  hintMarginMs?: number | undefined;
  hintFrom: string;
  retries: RetryPolicy;
}

/** The hop's side that accepts connections from the previous hop. */
export interface ServerSide {
  keepAliveMs: number;
  keepAliveFrom: string;
  knob: Knob;
  advertisesHint: boolean;
  hintFrom: string;
  closes: CloseStyle;
}

export interface Source {
  title: string;
  url: string;
}

export interface Preset {
  /** the name a chain's hop gives in `product:` */
  name: string;
  title: string;
  /** versions whose defaults differ (the first is assumed when none is given) */
  versions?: readonly string[] | undefined;
  sources: readonly Source[];
  /** every setting a fix may name: the product's own, as its documentation spells them */
  settings: readonly string[];
  /** undefined: the product opens no connections to a next hop of its own */
  client?: ((version: string | undefined) => ClientSide) | undefined;
  /** undefined: the product accepts no connections from a previous hop in a chain */
  server?: ((version: string | undefined) => ServerSide) | undefined;
}

/** Knob helpers: a value in seconds or milliseconds, written by a template. */
export const seconds = (setting: string, where: string, write: (value: number) => string): Knob => ({ setting, where, unit: 's', write });
export const millis = (setting: string, where: string, write: (value: number) => string): Knob => ({ setting, where, unit: 'ms', write });
