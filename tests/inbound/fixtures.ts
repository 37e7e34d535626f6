import { readFileSync } from 'node:fs';
import path from 'node:path';

const DIR = path.resolve(import.meta.dirname, '../fixtures/inbound');

/** A report of tests/fixtures/inbound with its placeholders filled, CRLF line ends as on the wire. */
export function fixture(name: string, values: Partial<Record<'VERP' | 'RCPT' | 'MSGID' | 'MAILBOX', string>> = {}): string {
  const text = readFileSync(path.join(DIR, name), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, k: string) => values[k as keyof typeof values] ?? `unset-${k}@example.invalid`);
  return text.replace(/\r?\n/g, '\r\n');
}
