import { test, expect } from '@playwright/test';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { createEvidenceSink } from '../../src/audit/evidence-sink.js';
import { createRedactor } from '../../src/log/redactor.js';
import { scanTempDir } from '../support/scan-root.js';

/** "No evidence file may ever be overwritten": enforced where files are written, by the sink. */
const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

test('evidence append-only: files with the same step name get their own numbered files', async () => {
  const dir = path.join(scanTempDir('seatctl-sink-'), 't01-stitch');
  const sink = createEvidenceSink(dir, createRedactor());
  const a = await sink.saveFile('deactivate.jpg', Buffer.from('first'), 'screenshot', 'first');
  const b = await sink.saveFile('deactivate.jpg', Buffer.from('second'), 'screenshot', 'second');
  expect((await readdir(dir)).sort()).toEqual(['01-deactivate.jpg', '02-deactivate.jpg']);
  expect(sha(await readFile(path.join(dir, a.path)))).toBe(a.sha256);
  expect(sha(await readFile(path.join(dir, b.path)))).toBe(b.sha256);
  expect(a.sha256).toBe(sha('first'));
});

test('evidence append-only: a file already on disk is never overwritten; the new one takes the next number', async () => {
  const dir = path.join(scanTempDir('seatctl-sink-'), 't01-stitch');
  // An earlier process wrote 01-deactivate.jpg and died before recording it, so a new
  // sink for the same task (no earlier items) would pick the same name.
  const earlier = await createEvidenceSink(dir, createRedactor()).saveFile('deactivate.jpg', Buffer.from('what really happened'), 'screenshot', 'x');
  const again = createEvidenceSink(dir, createRedactor());
  const later = await again.saveFile('deactivate.jpg', Buffer.from('a later picture'), 'screenshot', 'y');
  expect(later.path).toBe('02-deactivate.jpg');
  // The file on disk still holds the first content and its recorded hash.
  expect(sha(await readFile(path.join(dir, earlier.path)))).toBe(earlier.sha256);
  expect(await readFile(path.join(dir, '01-deactivate.jpg'), 'utf8')).toBe('what really happened');
  expect(sha(await readFile(path.join(dir, later.path)))).toBe(sha('a later picture'));
  expect(again.items.map((i) => ('path' in i ? i.path : null))).toEqual(['02-deactivate.jpg']);
});
