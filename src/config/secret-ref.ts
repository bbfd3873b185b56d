import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
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

/** A secret is a password, token or key: far below this. A larger file is a wrong path, not a secret. */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/**
 * Reads a `file:` secret without trusting the path: opened non-blocking so a FIFO cannot
 * stall the event loop, refused unless it is a regular file (`/dev/zero`, a socket, a
 * FIFO), and refused above MAX_SECRET_FILE_BYTES before a byte is read. A file that the
 * group or others can read is still used, with a warning: refusing it would stop a
 * running service over a chmod, while the warning tells the operator what to fix.
 */
function readSecretFile(file: string, fieldPath: string, warn: (message: string) => void): string {
  const unreadable = (reason: string) => new SeatctlError('SECRET_UNRESOLVED', `${fieldPath}: cannot read secret file ${file} (${reason})`, { details: { field: fieldPath } });
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    throw unreadable((err as NodeJS.ErrnoException).code ?? 'unreadable');
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw unreadable('not a regular file');
    if (info.size > MAX_SECRET_FILE_BYTES) throw unreadable(`larger than ${MAX_SECRET_FILE_BYTES} bytes`);
    if ((info.mode & 0o044) !== 0) warn(`${fieldPath}: secret file ${file} is readable by its group or by others (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`);
    const buffer = Buffer.alloc(info.size);
    let read = 0;
    while (read < info.size) {
      const n = readSync(fd, buffer, read, info.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function createSecretResolver(options: { redactor: Redactor; baseDir: string; env?: NodeJS.ProcessEnv; warn?: (message: string) => void }): SecretResolver {
  const warn = options.warn ?? (() => {});
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
        value = readSecretFile(file, fieldPath, warn).replace(/\r?\n$/, '');
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
