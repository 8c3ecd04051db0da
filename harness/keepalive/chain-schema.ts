/**
 * The chain file: the hops from the client side to the origin, each with how long it keeps an idle
 * connection to the next hop (`idle_timeout_ms`) and from the previous hop
 * (`keep_alive_timeout_ms`), and what it does with a `Keep-Alive: timeout=N` hint. Connection i
 * joins hop i (its downstream side) and hop i+1 (its upstream side).
 *
 * A hop may name its real configuration file (`config:`) or its product (`product:`) instead of
 * giving values; chain values always win over both. Which values a hop must end up with depends on
 * where it stands, so that is checked after the files are read (chain.ts).
 */
import { z } from 'zod';
import { positiveMillis, seconds } from '../config/fields.ts';

import { productNames, type ProductName } from './products/index.ts';

export { productNames, type ProductName };

/** What a hop does when a request fails on a connection it reused: send nothing again, GET again, or anything again. */
export const retryChoices = ['none', 'idempotent', 'all'] as const;

const flag = () => z.boolean({ error: 'expected true or false' });

export const hopSchema = z.strictObject({
  name: z.string({ error: 'expected a name for the hop' }).min(1, { error: 'expected a name for the hop' }),
  /** an org-env-config.yaml or a TargetEndpoint XML, relative to the chain file */
  config: z.string({ error: 'expected the path of a configuration file' }).min(1, { error: 'expected the path of a configuration file' }).optional(),
  product: z.enum(productNames as [ProductName, ...ProductName[]], { error: `expected one of ${productNames.join(', ')}` }).optional(),
  /** the product's version, where its defaults changed between versions (node 18/20, undici 5/6, microgateway 3.1.6/3.3.7) */
  version: z.union([z.string(), z.number()], { error: 'expected a version such as "20"' }).transform(String).optional(),
  /** what it sends again when a request fails on a reused connection */
  retries: z.enum(retryChoices, { error: `expected one of ${retryChoices.join(', ')}` }).optional(),
  /** how long it keeps an idle connection to the next hop */
  idle_timeout_ms: positiveMillis().optional(),
  /** how long it keeps an idle connection from the previous hop */
  keep_alive_timeout_ms: positiveMillis().optional(),
  /** does it retire a pooled connection early on Keep-Alive: timeout=N (Node's rule: at N s − 1 s) */
  honours_keep_alive_hint: flag().optional(),
  /** does it send Keep-Alive: timeout=N to the previous hop */
  advertises_keep_alive_hint: flag().optional(),
  /** the N it sends; by default its keep-alive timeout in whole seconds, rounded down as Node does */
  keep_alive_hint_seconds: seconds().optional(),
});

export type HopInput = z.output<typeof hopSchema>;
export const hopFieldNames = Object.keys(hopSchema.shape);

export const chainSchema = z
  .strictObject({
    hops: z
      .array(hopSchema, { error: 'expected a list of hops, client side first, origin last' })
      .min(2, { error: 'expected at least two hops (a connection joins two)' }),
  })
  .superRefine((chain, context) => {
    const seen = new Set<string>();
    chain.hops.forEach((hop, index) => {
      if (seen.has(hop.name)) context.addIssue({ code: 'custom', path: ['hops', index, 'name'], message: `"${hop.name}" names two hops; give each a name of its own` });
      seen.add(hop.name);
    });
  });

export type ChainInput = z.output<typeof chainSchema>;

/**
 * One line for the first problem: the field by its path, with the hop's name beside it, e.g.
 * `hops.1.idle_timeout_ms (hop "microgateway"): must not be negative (milliseconds), got -5`.
 */
export function describeChainIssue(error: z.ZodError, data: unknown): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid chain';
  const path = issue.path.map(String);
  const where = path.length ? `${path.join('.')}${hopLabel(data, issue.path)}: ` : '';
  if (issue.code === 'unrecognized_keys') {
    const known = path.length ? hopFieldNames.join(', ') : 'hops';
    return `${where}unknown field ${issue.keys.map((key) => `"${key}"`).join(', ')}; known: ${known}`;
  }
  if (path.length === 0 && issue.code === 'invalid_type') return 'expected a mapping with a list of hops (hops:)';
  // The value given, when it is a plain one (the chain is parsed with zod's reportInput).
  const input: unknown = 'input' in issue ? issue.input : undefined;
  const given = typeof input === 'string' ? `, got ${JSON.stringify(input)}` : typeof input === 'number' || typeof input === 'boolean' ? `, got ${String(input)}` : '';
  return `${where}${issue.message}${given}`;
}

function hopLabel(data: unknown, path: readonly PropertyKey[]): string {
  if (path[0] !== 'hops' || typeof path[1] !== 'number') return '';
  const hops = (data as { hops?: unknown } | null)?.hops;
  const name = Array.isArray(hops) ? (hops[path[1]] as { name?: unknown } | undefined)?.name : undefined;
  return typeof name === 'string' && name ? ` (hop "${name}")` : '';
}
