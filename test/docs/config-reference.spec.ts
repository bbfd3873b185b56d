import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { configReferenceMarkdown } from '../../src/docs/config-reference.js';
import { builtInDrivers } from '../../src/composition/built-in-drivers.js';

/** The config reference is generated from the zod schemas; the checked-in copy must match. */
test('docs/config-reference.md is what `npm run docs:config` generates', () => {
  const checkedIn = readFileSync(new URL('../../docs/config-reference.md', import.meta.url), 'utf8');
  expect(checkedIn, 'the config schema changed: run `npm run docs:config` and commit docs/config-reference.md').toBe(configReferenceMarkdown(builtInDrivers()));
});

test('every key of the config and of each built-in driver has a description', () => {
  const generated = configReferenceMarkdown(builtInDrivers());
  const rows = generated.split('\n').filter((l) => l.startsWith('| `'));
  expect(rows.length).toBeGreaterThan(30);
  const undocumented = rows.filter((l) => l.trimEnd().endsWith('|  |'));
  expect(undocumented).toEqual([]);
});
