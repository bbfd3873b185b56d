import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SeatctlError } from '../errors/index.js';
import type { Redactor } from '../log/redactor.js';

/**
 * Secrets live outside the config: `env:NAME` or `file:/path`. They are resolved only
 * when a driver first needs them (a dry run against one app must not require every
 * app's secrets), and each resolved value is registered with the redactor.
 */
export const secretRefSchema = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, {
    message: 'must be a secret reference "env:NAME" or "file:/path" (secrets are never written into the config)',
  });

export interface SecretResolver {
  resolve(ref: string, fieldPath: string): string;
}

export function createSecretResolver(options: { redactor: Redactor; baseDir: string; env?: NodeJS.ProcessEnv }): SecretResolver {
  const env = options.env ?? process.env;
  const cache = new Map<string, string>();
  return {
    resolve(ref, fieldPath) {
      const cached = cache.get(ref);
      if (cached !== undefined) return cached;
      let value: string;
      if (ref.startsWith('env:')) {
        const name = ref.slice(4);
        const found = env[name];
        if (found === undefined || found === '') {
          throw new SeatctlError('SECRET_UNRESOLVED', `${fieldPath}: environment variable ${name} is not set`, { details: { field: fieldPath } });
        }
        value = found;
      } else if (ref.startsWith('file:')) {
        const file = path.resolve(options.baseDir, ref.slice(5));
        try {
          value = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
        } catch (err) {
          const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
          throw new SeatctlError('SECRET_UNRESOLVED', `${fieldPath}: cannot read secret file ${file} (${reason})`, { details: { field: fieldPath } });
        }
        if (!value) throw new SeatctlError('SECRET_UNRESOLVED', `${fieldPath}: secret file ${file} is empty`, { details: { field: fieldPath } });
      } else {
        throw new SeatctlError('CONFIG_INVALID', `${fieldPath}: not a secret reference`, { details: { field: fieldPath } });
      }
      options.redactor.add(value);
      cache.set(ref, value);
      return value;
    },
  };
}
