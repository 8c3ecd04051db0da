/**
 * What wire mode needs of the machine: root (network namespaces, veth pairs and nft rules are the
 * kernel's network configuration) and four Debian packages' commands. One line says what is
 * missing and how to get it; the CLI prints it with exit 2, and the wire tests skip with it.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** command → the Debian package that provides it */
const needed = { ip: 'iproute2', nft: 'nftables', tcpdump: 'tcpdump', tshark: 'tshark' } as const;

function onPath(command: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  return dirs.some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** undefined when wire mode can run here; otherwise one line naming what is missing and the fix */
export function wireUnavailable(): string | undefined {
  const missing = (Object.keys(needed) as (keyof typeof needed)[]).filter((command) => !onPath(command));
  const root = process.getuid?.() === 0;
  if (root && missing.length === 0) return undefined;
  const parts: string[] = [];
  if (!root) parts.push('root (network namespaces and nft rules need it: run with sudo)');
  if (missing.length) {
    parts.push(`${missing.join(', ')} (apt-get install -y ${[...new Set(missing.map((command) => needed[command]))].join(' ')})`);
  }
  return `--wire needs ${parts.join(' and ')}`;
}
