/** Every subcommand, in the order --help lists them. Each module adds itself to the program. */
import type { Command } from 'commander';
import { registerBackend } from './backend.ts';
import { registerGateway } from './gateway.ts';
import { registerKeepalive } from './keepalive.ts';
import { registerList } from './list.ts';
import { registerRun } from './run.ts';
import { registerUp } from './up.ts';

export const commands: ((program: Command) => void)[] = [registerList, registerRun, registerUp, registerGateway, registerBackend, registerKeepalive];
