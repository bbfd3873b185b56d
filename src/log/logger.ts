import pino, { type Logger, type DestinationStream } from 'pino';
import type { Redactor } from './redactor.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level?: string;
  redactor: Redactor;
  /** Defaults to stderr: stdout is reserved for --json output. */
  destination?: DestinationStream;
}

/**
 * pino with two layers of secret hygiene: `redact` paths for the well-known places
 * (headers, credentials), and a formatter that scrubs every resolved secret value
 * from whatever else is logged.
 */
export function createLogger(options: LoggerOptions): Logger {
  const { redactor } = options;
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      redact: {
        paths: [
          'password',
          '*.password',
          'token',
          '*.token',
          'secret',
          '*.secret',
          'headers.authorization',
          '*.headers.authorization',
          'credentials',
          '*.credentials',
          'clientSecret',
          '*.clientSecret',
          'totpSecret',
          '*.totpSecret',
        ],
        censor: '[REDACTED]',
      },
      formatters: {
        log: (object) => redactor.scrubDeep(object),
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? redactor.scrub(a) : a));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}
