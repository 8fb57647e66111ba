/**
 * The gateway's error log, shaped like nginx's: `<time> [<level>] <pid>#0: <message>`.
 * Levels are Kong's (debug < info < notice < warn < error < crit < alert < emerg); the threshold comes
 * from `KONG_LOG_LEVEL` (default `notice`, as Kong). Tests attach a sink to capture lines.
 */
export type LogLevel = 'debug' | 'info' | 'notice' | 'warn' | 'error' | 'crit' | 'alert' | 'emerg';

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, notice: 2, warn: 3, error: 4, crit: 5, alert: 6, emerg: 7 };

export interface LogRecord {
  level: LogLevel;
  message: string;
  time: Date;
}

type Sink = (record: LogRecord) => void;

export class GatewayLog {
  private threshold: LogLevel;
  private readonly sinks = new Set<Sink>();
  private writeStderr: boolean;

  constructor(level: LogLevel = parseLevel(process.env.KONG_LOG_LEVEL), writeStderr = true) {
    this.threshold = level;
    this.writeStderr = writeStderr;
  }

  setLevel(level: LogLevel): void {
    this.threshold = level;
  }

  setStderr(on: boolean): void {
    this.writeStderr = on;
  }

  /** Every record reaches sinks regardless of the threshold (tests assert on info lines). */
  addSink(sink: Sink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  log(level: LogLevel, ...parts: unknown[]): void {
    const message = parts.map((p) => (typeof p === 'string' ? p : p instanceof Error ? p.message : JSON.stringify(p))).join('');
    const record: LogRecord = { level, message, time: new Date() };
    for (const sink of this.sinks) sink(record);
    if (this.writeStderr && ORDER[level] >= ORDER[this.threshold]) {
      process.stderr.write(`${record.time.toISOString()} [${level}] ${process.pid}#0: ${message}\n`);
    }
  }

  debug(...p: unknown[]): void { this.log('debug', ...p); }
  info(...p: unknown[]): void { this.log('info', ...p); }
  notice(...p: unknown[]): void { this.log('notice', ...p); }
  warn(...p: unknown[]): void { this.log('warn', ...p); }
  error(...p: unknown[]): void { this.log('error', ...p); }
}

export function parseLevel(value: string | undefined): LogLevel {
  const v = (value ?? '').toLowerCase();
  if (v === 'err') return 'error';
  return (v in ORDER ? v : 'notice') as LogLevel;
}

/** The process-wide log (one per gateway, like nginx's error.log). */
export const gatewayLog = new GatewayLog();
