import { pino, type Logger as PinoLogger } from 'pino';
import { prettyFactory } from 'pino-pretty';

export type Logger = PinoLogger;

/** `LOG_FORMAT`: `pretty` (readable lines, pino-pretty) or `json` (one object a line). */
export type LogFormat = 'pretty' | 'json';

export interface LoggerOptions {
  /** @defaultValue "info" */
  level?: string;
  /** @defaultValue "pretty" when the destination is a terminal (stderr a TTY), else "json" */
  format?: LogFormat;
  /** @defaultValue process.stderr */
  destination?: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * Structured logs on stderr, so a command's stdout stays its output. On a terminal they are
 * readable lines between the command's own sentences; anywhere else (a file, a pipe, a log
 * collector) JSON, one object a line, unless `LOG_FORMAT` says otherwise. Subscriber
 * addresses are never logged at info level.
 *
 * The pretty printer formats each line synchronously (prettyFactory) rather than through
 * pino-pretty's stream: a line written just before `process.exit` is then not lost.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const destination = opts.destination ?? process.stderr;
  const format = opts.format ?? (destination.isTTY ? 'pretty' : 'json');
  const base = { level: opts.level ?? 'info', base: { pid: process.pid } };
  if (format === 'json') return pino(base, destination as unknown as pino.DestinationStream);
  const prettify = prettyFactory({ colorize: Boolean(destination.isTTY), translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  const stream = { write: (line: string) => void destination.write(prettify(JSON.parse(line))) };
  return pino(base, stream);
}

/** A logger that drops everything (tests, one-shot commands). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
