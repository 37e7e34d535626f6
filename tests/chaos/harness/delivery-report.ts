import { appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ReceivedMessage } from '../../helpers/smtp-sink.js';

/** What arrived, against who should have received it. */
export interface DeliveryCheck {
  accepted: number;
  recipients: number;
  /** Expected recipients with no accepted copy. */
  missing: string[];
  /** Accepted copies for addresses that should have got none. */
  unexpected: string[];
  /** Addresses with two or more copies. */
  doubled: number;
  /** Copies beyond the first, summed over all addresses. */
  extraCopies: number;
  /** Addresses whose copies do not all carry the same Message-ID. */
  differentIds: string[];
  /** Most copies one address got. */
  maxCopies: number;
}

export function checkDelivery(messages: readonly ReceivedMessage[], expected: Iterable<string>): DeliveryCheck {
  const want = new Set([...expected].map((a) => a.toLowerCase()));
  const ids = new Map<string, string[]>();
  for (const m of messages) {
    for (const r of m.rcpt) {
      const list = ids.get(r) ?? [];
      list.push(m.messageId);
      ids.set(r, list);
    }
  }
  const check: DeliveryCheck = {
    accepted: messages.length,
    recipients: ids.size,
    missing: [...want].filter((a) => !ids.has(a)),
    unexpected: [...ids.keys()].filter((a) => !want.has(a)),
    doubled: 0,
    extraCopies: 0,
    differentIds: [],
    maxCopies: 0,
  };
  for (const [address, list] of ids) {
    check.maxCopies = Math.max(check.maxCopies, list.length);
    if (list.length > 1) {
      check.doubled++;
      check.extraCopies += list.length - 1;
      if (new Set(list).size > 1 || list.some((id) => !id)) check.differentIds.push(address);
    }
  }
  return check;
}

/** A short account of a check for assertion messages. */
export function describeCheck(c: DeliveryCheck): string {
  const few = (xs: string[]) => `${xs.length}${xs.length ? ` (${xs.slice(0, 5).join(', ')}${xs.length > 5 ? ', …' : ''})` : ''}`;
  return `accepted ${c.accepted}, recipients ${c.recipients}, missing ${few(c.missing)}, unexpected ${few(c.unexpected)}, doubled ${c.doubled}, extra copies ${c.extraCopies}, different Message-IDs ${few(c.differentIds)}`;
}

/**
 * Prints a scenario's figures as one line and appends them to a JSON-lines file
 * (CHAOS_REPORT_FILE, default $TMPDIR/daily-brief-chaos.jsonl), so five runs can be compared.
 */
export function reportFigures(scenario: string, figures: Record<string, unknown>): void {
  const line = { scenario, at: new Date().toISOString(), ...figures };
  console.info(`[chaos] ${scenario}: ${JSON.stringify(figures)}`);
  const file = process.env.CHAOS_REPORT_FILE ?? path.join(os.tmpdir(), 'daily-brief-chaos.jsonl');
  try {
    appendFileSync(file, JSON.stringify(line) + '\n');
  } catch {
    // The figures are a convenience; a read-only tmp must not fail the suite.
  }
}
