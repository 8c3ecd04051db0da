/**
 * Help that teaches: every command's --help has examples that start `npx faultgate` and its exit
 * codes; gateway --help lists every setting of each personality and backend --help every setting of
 * each backend, each with its default and unit, as the schemas that check them say.
 */
import { describe, expect, it } from 'vitest';
import { backends } from '../../faulty-backends/index.ts';
import { personalities } from '../../harness/gateway/personalities.ts';
import { personalityNames } from '../../harness/gateway/personality.ts';
import { commandPaths, examplesIn, helpOf } from '../docs/help-of.ts';

const help = async (...path: string[]) => (await helpOf([...path, '--help'])).output;

describe('--help', () => {
  it('every command shows examples and exit codes', async () => {
    for (const path of await commandPaths()) {
      const text = await help(...path);
      expect(examplesIn(text).length, path.join(' ')).toBeGreaterThan(0);
      expect(text, path.join(' ')).toMatch(/\nExit codes:\n {4}0 {2}\S.*\n(.*\n)* {4}2 {2}bad input/);
    }
  });

  it('gateway: every setting of each personality, with its default and unit', async () => {
    const text = await help('gateway');
    expect(text).toMatch(/^ {2}io\.timeout\.millis +55000 ms +no data read or written/m);
    expect(text).toMatch(/^ {2}edgemicro\.request_timeout +\(none\) s +target request timeout/m);
    for (const name of personalityNames) {
      for (const setting of personalities[name].settingNames) expect(text, `${name}: ${setting}`).toMatch(new RegExp(`^ {2}${setting.replaceAll('.', '\\.')} `, 'm'));
    }
  });

  it('backend: every setting of each backend, with its default and unit', async () => {
    const text = await help('backend');
    expect(text).toMatch(/^ {6}idleTimeoutMs +5000 ms +a keep-alive connection idle this long is closed/m);
    for (const backend of Object.values(backends)) {
      expect(text).toContain(`  ${backend.name}: ${backend.summary}`);
      for (const setting of backend.settingNames) expect(text, `${backend.name}: ${setting}`).toMatch(new RegExp(`^ {6}${setting} `, 'm'));
    }
  });
});
