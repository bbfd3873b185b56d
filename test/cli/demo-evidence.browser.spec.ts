import { test, expect } from '@playwright/test';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { cli } from '../support/cli-run.js';
import { scanRoot } from '../support/scan-root.js';

test('small #18: the demo prints each task\'s real evidence folder, absolute, with files in it', async () => {
  test.setTimeout(180_000);
  const dir = await mkdtemp(path.join(scanRoot(), 'seatctl-demo-'));
  const r = await cli(['demo', '--dir', dir]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).not.toContain('<job>');
  const at = r.stdout.indexOf('evidence of each task');
  expect(at).toBeGreaterThan(-1);
  const rows = r.stdout.slice(at).split('\n').slice(1).filter((l) => l.startsWith('  ')).map((l) => l.trim().split(/\s+/) as [string, string]);
  expect(rows.map(([app]) => app).sort()).toEqual(['bigid', 'billcom', 'sigma', 'stitch']);
  for (const [app, folder] of rows) {
    expect(path.isAbsolute(folder), folder).toBe(true);
    expect(folder.startsWith(dir), folder).toBe(true);
    expect((await stat(folder)).isDirectory()).toBe(true);
    const files = await readdir(folder);
    expect(files, app).toContain('evidence.json');
    if (app === 'stitch' || app === 'billcom') expect(files.some((f) => f.endsWith('.jpg') || f.endsWith('.png')), `${app}: ${files.join(', ')}`).toBe(true);
  }
});
