import { randomBytes } from 'node:crypto';

/** A sortable, unguessable id: `job_20261130184835_1a2b3c4d`. */
export function newId(prefix: string): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${prefix}_${stamp}_${randomBytes(4).toString('hex')}`;
}
