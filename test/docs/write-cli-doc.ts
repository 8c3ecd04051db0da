/**
 * Writes docs/cli.md: every command's --help, as it prints it. Run it after changing a command's
 * options or help (npm run docs:cli); test/docs/doc-commands.test.ts fails until the page and the
 * program agree.
 */
import { writeFileSync } from 'node:fs';
import { commandPaths, helpOf } from './help-of.ts';

const sections: string[] = [];
for (const path of await commandPaths()) {
  const { output } = await helpOf([...path, '--help']);
  const name = ['faultgate', ...path].join(' ');
  sections.push(`## ${name}\n\n\`\`\`\n$ npx ${name} --help\n${output.trimEnd()}\n\`\`\`\n`);
}
const page = `# The faultgate command

Every command's \`--help\`, as it prints it: the options, examples that paste as printed, the exit
codes, and for \`gateway\` and \`backend\` every setting with its default and unit (read from the
schemas that check them). \`test/docs/doc-commands.test.ts\` compares each block with the program;
after changing a command, rewrite this page with \`npm run docs:cli\`.

${sections.join('\n')}`;
writeFileSync(new URL('../../docs/cli.md', import.meta.url), page);
