/** Issue 12, item 11: readable logs on a terminal, JSON elsewhere, LOG_FORMAT to choose. */
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from '../src/logger.js';
import { readEnv } from '../src/config/env.js';

function sink(isTTY: boolean) {
  const lines: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
    { isTTY },
  );
  return { stream, lines };
}

describe('createLogger', () => {
  it('prints readable lines on a terminal and JSON elsewhere by default', () => {
    const tty = sink(true);
    createLogger({ destination: tty.stream }).info({ editionId: 'daily-2025-09-05' }, 'edition compiled and frozen');
    expect(tty.lines.join('')).toMatch(/INFO.*edition compiled and frozen/);
    expect(tty.lines.join('').replace(/\u001b\[\d+m/g, '')).toContain('editionId: "daily-2025-09-05"');
    expect(() => JSON.parse(tty.lines[0]!)).toThrow();

    const pipe = sink(false);
    createLogger({ destination: pipe.stream }).info({ editionId: 'daily-2025-09-05' }, 'edition compiled and frozen');
    expect(JSON.parse(pipe.lines[0]!)).toMatchObject({ level: 30, msg: 'edition compiled and frozen', editionId: 'daily-2025-09-05' });
  });

  it('follows LOG_FORMAT either way, and refuses another value with one line', () => {
    const tty = sink(true);
    createLogger({ destination: tty.stream, format: readEnv({ LOG_FORMAT: 'json' }).logFormat }).warn('x');
    expect(JSON.parse(tty.lines[0]!)).toMatchObject({ level: 40, msg: 'x' });
    const pipe = sink(false);
    createLogger({ destination: pipe.stream, format: readEnv({ LOG_FORMAT: 'pretty' }).logFormat }).warn('y');
    expect(pipe.lines[0]).toMatch(/WARN.*y/);
    expect(pipe.lines[0]).not.toContain('\u001b['); // no colours when not a terminal
    expect(readEnv({}).logFormat).toBeUndefined();
    expect(() => readEnv({ LOG_FORMAT: 'xml' })).toThrow('LOG_FORMAT: "xml" is not pretty or json');
  });
});
