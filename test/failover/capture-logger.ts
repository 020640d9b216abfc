import type { LogLevel, LoggerService } from '@nestjs/common';

/** One line a {@link CaptureLogger} received. */
export interface LogLine {
  level: LogLevel;
  message: string;
  /** The Nest logger context, e.g. `'MailFailover'`. */
  context: string | undefined;
}

/**
 * A Nest `LoggerService` that keeps every line (all levels, debug included)
 * instead of printing it. Install it with `TestingModuleBuilder.setLogger()`.
 */
export class CaptureLogger implements LoggerService {
  readonly lines: LogLine[] = [];

  /** The lines of one context, e.g. `'MailFailover'`, optionally of one level. */
  of(context: string, level?: LogLevel): LogLine[] {
    return this.lines.filter(
      (line) =>
        line.context === context &&
        (level === undefined || line.level === level),
    );
  }

  log(message: unknown, ...params: unknown[]) {
    this.add('log', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.add('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.add('error', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.add('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.add('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.add('fatal', message, params);
  }

  private add(level: LogLevel, message: unknown, params: unknown[]) {
    const context = params.at(-1);
    this.lines.push({
      level,
      message: String(message),
      context: typeof context === 'string' ? context : undefined,
    });
  }
}
