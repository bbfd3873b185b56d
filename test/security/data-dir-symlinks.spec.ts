import { test, expect } from '@playwright/test';
import { chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SeatctlError } from '../../src/errors/index.js';
import { writePrivateFile } from '../../src/fs/private-files.js';
import { openSqliteFile } from '../../src/store/sqlite-file.js';
import { cli } from '../support/cli-run.js';
import { scanTempDir } from '../support/scan-root.js';

/** A victim file outside the data dir that a planted symlink points at. */
function victim(dir: string): { file: string; content: string; mode: number } {
  const file = path.join(dir, 'victim.txt');
  const content = 'must stay exactly as it is\n';
  writeFileSync(file, content, { mode: 0o644 });
  chmodSync(file, 0o644);
  return { file, content, mode: 0o644 };
}

function expectUntouched(v: { file: string; content: string; mode: number }): void {
  expect(readFileSync(v.file, 'utf8')).toBe(v.content);
  expect(statSync(v.file).mode & 0o777).toBe(v.mode);
}

function minimalConfig(dir: string, dataDir: string): string {
  const file = path.join(dir, 'seatctl.config.json');
  writeFileSync(file, JSON.stringify({ dataDir, apps: { bigid: { driver: 'bigid-api', baseUrl: 'http://127.0.0.1:9/api/v1', credentials: { username: 'svc', password: 'env:NOT_NEEDED' } } } }));
  return file;
}

test.describe('security #6: symlinks and modes in the data dir', () => {
  test('a symlink at seatctl.db is refused: the target is neither chmod-ed nor written', () => {
    const dir = scanTempDir('seatctl-symlink-db-');
    const v = victim(dir);
    const data = path.join(dir, 'data');
    mkdirSync(data, { mode: 0o700 });
    symlinkSync(v.file, path.join(data, 'seatctl.db'));
    let error: unknown;
    try {
      openSqliteFile(path.join(data, 'seatctl.db')).close();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SeatctlError);
    expect((error as SeatctlError).code).toBe('UNSAFE_PATH');
    expect((error as SeatctlError).message).toContain('symbolic link');
    expectUntouched(v);
  });

  test('a symlink at logs/seatctl.log makes the CLI refuse instead of appending to the target', async () => {
    const dir = scanTempDir('seatctl-symlink-log-');
    const v = victim(dir);
    const data = path.join(dir, 'data');
    mkdirSync(path.join(data, 'logs'), { recursive: true, mode: 0o700 });
    symlinkSync(v.file, path.join(data, 'logs', 'seatctl.log'));
    const config = minimalConfig(dir, data);
    const r = await cli(['jobs', 'list', '--config', config]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('seatctl.log');
    expect(r.stderr).toContain('symbolic link');
    expectUntouched(v);
  });

  test('a report, session or job file that is a symlink is refused, the target untouched', async () => {
    const dir = scanTempDir('seatctl-symlink-report-');
    const v = victim(dir);
    const link = path.join(dir, 'report.html');
    symlinkSync(v.file, link);
    await expect(writePrivateFile(link, '<html>new</html>')).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    expectUntouched(v);
  });

  test('a data dir others can write is set to 700, loudly', async () => {
    const dir = scanTempDir('seatctl-open-datadir-');
    const data = path.join(dir, 'data');
    mkdirSync(path.join(data, 'jobs'), { recursive: true });
    chmodSync(data, 0o777);
    chmodSync(path.join(data, 'jobs'), 0o777);
    const r = await cli(['jobs', 'list', '--config', minimalConfig(dir, data)]);
    expect(r.code).toBe(0);
    expect(statSync(data).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(data, 'jobs')).mode & 0o777).toBe(0o700);
    expect(r.stderr).toContain(`${data} was writable by its group or others (mode 777)`);
    expect(r.stderr).toContain(`${path.join(data, 'jobs')} was writable`);
  });

  test('a data dir that is itself a symlink is refused', async () => {
    const dir = scanTempDir('seatctl-link-datadir-');
    const real = path.join(dir, 'elsewhere');
    mkdirSync(real, { mode: 0o700 });
    const data = path.join(dir, 'data');
    symlinkSync(real, data);
    const r = await cli(['jobs', 'list', '--config', minimalConfig(dir, data)]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('symbolic link');
  });
});
