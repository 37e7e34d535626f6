#!/usr/bin/env node
// The `brief` command. The TypeScript is built into dist/ by `npm install` (the prepare script).
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('brief: dist/ is missing; run `npm install` (or `npm run build`) in the daily-brief folder first\n');
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv);
// Every command has closed what it opened by now; exiting at once spares the seconds that
// client libraries' idle timers would otherwise keep the process alive. Output is flushed first.
for (const stream of [process.stdout, process.stderr]) {
  if (stream.writableLength > 0) await once(stream, 'drain');
}
process.exit(code);
