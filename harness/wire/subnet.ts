/**
 * Picks the /30 a wire path uses: one that no address and no route of this machine overlaps (the
 * default route aside), from the documentation ranges 198.51.100.0/24 and 203.0.113.0/24, and
 * that no other run holds. A run holds a /30 by creating a claim file for it (exclusive create:
 * two runs at once never get the same one); the claim names the process, so a claim whose process
 * is gone is a leftover a later run removes.
 */
import { mkdirSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultgateError } from '../errors.ts';
import { run } from './exec.ts';
import { isAlive } from './names.ts';

export interface Subnet {
  /** the /30's network address, e.g. 198.51.100.4 */
  network: string;
  gatewayAddress: string;
  targetAddress: string;
  /** removes the claim */
  release(): void;
}

const ranges = ['198.51.100.0', '203.0.113.0'];

export const claimsFolder = (): string => (process.getuid?.() === 0 ? '/run/faultgate-wire' : join(tmpdir(), 'faultgate-wire'));

const toInt = (address: string): number => address.split('.').reduce((value, part) => value * 256 + Number(part), 0);
const toAddress = (value: number): string => [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');

interface Block {
  first: number;
  last: number;
}

function blockOf(prefix: string): Block | undefined {
  const [address, bits] = prefix.split('/');
  if (!address || !/^\d+\.\d+\.\d+\.\d+$/.test(address)) return undefined;
  const length = bits === undefined ? 32 : Number(bits);
  if (length === 0) return undefined; // the default route overlaps everything; it is no use of the block
  const size = 2 ** (32 - length);
  const first = Math.floor(toInt(address) / size) * size;
  return { first, last: first + size - 1 };
}

/** Every IPv4 block this machine's routing tables and interface addresses use. */
async function blocksInUse(): Promise<Block[]> {
  const [routes, addresses] = await Promise.all([run('ip', ['-j', '-4', 'route', 'show', 'table', 'all']), run('ip', ['-j', '-4', 'addr', 'show'])]);
  const prefixes: string[] = [];
  for (const route of JSON.parse(routes.stdout || '[]') as { dst?: string }[]) if (route.dst && route.dst !== 'default') prefixes.push(route.dst);
  for (const link of JSON.parse(addresses.stdout || '[]') as { addr_info?: { local?: string; prefixlen?: number }[] }[]) {
    for (const info of link.addr_info ?? []) if (info.local) prefixes.push(`${info.local}/${info.prefixlen ?? 32}`);
  }
  return prefixes.map(blockOf).filter((block): block is Block => block !== undefined);
}

/** Claims whose process is gone: [network, namespace] pairs, the claim already removed. */
export function staleClaims(): { network: string; namespace: string }[] {
  const folder = claimsFolder();
  const stale: { network: string; namespace: string }[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(folder);
  } catch {
    return stale;
  }
  for (const network of names) {
    const file = join(folder, network);
    let pid = 0;
    let namespace = '';
    try {
      [pid, namespace] = ((text) => [Number(text.split(' ')[0]), text.split(' ')[1] ?? ''] as [number, string])(readFileSync(file, 'utf8').trim());
    } catch {
      continue;
    }
    if (pid > 0 && isAlive(pid)) continue;
    rmSync(file, { force: true });
    stale.push({ network, namespace });
  }
  return stale;
}

export async function claimSubnet(namespace: string): Promise<Subnet> {
  const used = await blocksInUse();
  const folder = claimsFolder();
  mkdirSync(folder, { recursive: true });
  const candidates = ranges.flatMap((range) => Array.from({ length: 64 }, (_, index) => toInt(range) + index * 4));
  // Start somewhere different in each process, so that runs one after another rarely reuse a /30.
  const offset = (process.pid * 7 + Math.floor(Date.now() / 1000)) % candidates.length;
  for (let i = 0; i < candidates.length; i++) {
    const first = candidates[(offset + i) % candidates.length] as number;
    if (used.some((block) => block.first <= first + 3 && first <= block.last)) continue;
    const network = toAddress(first);
    const file = join(folder, network);
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch {
      continue; // another run holds it
    }
    writeSync(fd, `${process.pid} ${namespace}\n`);
    closeSync(fd);
    return { network, gatewayAddress: toAddress(first + 1), targetAddress: toAddress(first + 2), release: () => rmSync(file, { force: true }) };
  }
  throw new FaultgateError('E_CONFIG', '--wire: no free /30 in 198.51.100.0/24 or 203.0.113.0/24 (all routed or claimed); remove stale routes or claims under ' + folder);
}
