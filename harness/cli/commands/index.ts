/** Every subcommand, in the order --help lists them. Each module adds itself to the program. */
import type { Command } from 'commander';
import { registerBackend } from './backend.ts';
import { registerGateway } from './gateway.ts';

export const commands: ((program: Command) => void)[] = [registerGateway, registerBackend];
