import { test, expect } from '@playwright/test';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { createEvidenceSink, sha256 } from '../../src/audit/evidence-sink.js';
import { createRedactor } from '../../src/log/redactor.js';
import { scanTempDir } from '../support/scan-root.js';

/**
 * A task's evidence folder is shared by every process that works on the task (plan,
 * approve, resume). A second process must add files, never rewrite the first one's —
 * including files the first wrote but was killed before recording.
 */
test('evidence #4: a second process never overwrites a file the first one wrote, recorded or not', async () => {
  const dir = scanTempDir('seatctl-append-');
  const first = createEvidenceSink(dir, createRedactor());
  const recorded = await first.saveFile('find-01.jpg', Buffer.from('first process, recorded'), 'screenshot', 'plan');
  // The first process writes a second file and is killed before its record is saved.
  await first.saveFile('deactivate-01.jpg', Buffer.from('first process, unrecorded'), 'screenshot', 'change');

  // The second process starts from the saved record: one file.
  const second = createEvidenceSink(dir, createRedactor(), [recorded]);
  // Its next number is 02, and it takes the same step's picture: 02-deactivate-01.jpg is taken.
  const added = await second.saveFile('deactivate-01.jpg', Buffer.from('second process'), 'screenshot', 'change, again');

  expect(added.path).toBe('03-deactivate-01.jpg');
  expect((await readdir(dir)).sort()).toEqual(['01-find-01.jpg', '02-deactivate-01.jpg', '03-deactivate-01.jpg']);
  expect(await readFile(path.join(dir, '01-find-01.jpg'), 'utf8')).toBe('first process, recorded');
  expect(await readFile(path.join(dir, '02-deactivate-01.jpg'), 'utf8')).toBe('first process, unrecorded');
  expect(sha256(await readFile(path.join(dir, added.path)))).toBe(added.sha256);
  expect(second.items.map((i) => ('path' in i ? i.path : ''))).toEqual(['01-find-01.jpg', '03-deactivate-01.jpg']);
});
