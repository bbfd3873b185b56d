import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';
import type { ArtifactStore } from '../../src/audit/artifact-store.js';
import { SeatctlError } from '../../src/errors/index.js';

/**
 * One suite for every ArtifactStore backend (files, PostgreSQL): what the evidence
 * sink, the engine, `jobs verify`, the report and the artifact routes rely on.
 */
export interface ArtifactStoreHarness {
  /** A new handle on this harness's data each time, like a second process (or machine). */
  open(): Promise<ArtifactStore>;
  /** Closes every handle open() gave and removes the data. */
  dispose(): Promise<void>;
}

const hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err, 'expected a refusal').toBeInstanceOf(SeatctlError);
  return (err as SeatctlError).code;
}

export function artifactStoreConformance(name: string, harness: () => Promise<ArtifactStoreHarness>): void {
  const test = base.extend<{ h: ArtifactStoreHarness; store: ArtifactStore }>({
    // eslint-disable-next-line no-empty-pattern
    h: async ({}, use) => {
      const h = await harness();
      await use(h);
      await h.dispose();
    },
    store: async ({ h }, use) => {
      await use(await h.open());
    },
  });

  test.describe(`artifact store conformance: ${name}`, () => {
    test('bytes round-trip exactly, with their SHA-256 and size, and read back from another handle', async ({ h, store }) => {
      const image = Buffer.from([0xff, 0xd8, 0x00, 0x01, 0x80, 0xfe, 0x0a, 0x0d]);
      const put = await store.put('job_a1', 't01-stitch/01-login.jpg', image, { contentType: 'image/jpeg' });
      expect(put).toEqual({ path: 't01-stitch/01-login.jpg', sha256: hex(image), bytes: image.length });
      const text = 'naïve ✓\r\n';
      const putText = await store.put('job_a1', 'job.json', text);
      expect(putText.bytes).toBe(Buffer.byteLength(text));
      expect(putText.sha256).toBe(hex(Buffer.from(text, 'utf8')));

      const other = await h.open();
      expect((await other.get('job_a1', 't01-stitch/01-login.jpg'))?.equals(image)).toBe(true);
      expect((await other.get('job_a1', 'job.json'))?.toString('utf8')).toBe(text);
      expect(await other.get('job_a1', 'nope.jpg')).toBeNull();
      expect(await other.get('job_zz', 'job.json')).toBeNull();
      expect(await other.stat('job_a1', 'job.json')).toMatchObject({ bytes: Buffer.byteLength(text) });
      expect(await other.stat('job_a1', 'nope.jpg')).toBeNull();
    });

    test('list gives every file of one job, with hashes, sorted by path, and no other job', async ({ store }) => {
      await store.put('job_l1', 't02-billcom/02-b.jpg', 'b');
      await store.put('job_l1', 't01-stitch/01-a.jpg', 'a');
      await store.put('job_l1', 'report.html', '<p>r</p>');
      await store.put('job_l2', 'job.json', '{}');
      expect(await store.list('job_l1')).toEqual([
        { path: 'report.html', sha256: hex('<p>r</p>'), bytes: 8 },
        { path: 't01-stitch/01-a.jpg', sha256: hex('a'), bytes: 1 },
        { path: 't02-billcom/02-b.jpg', sha256: hex('b'), bytes: 1 },
      ]);
      expect(await store.list('job_none')).toEqual([]);
    });

    test('keys must be relative paths inside the job: .., absolute, empty segments, NUL and dot-files are refused', async ({ store }) => {
      for (const bad of ['../other/job.json', 't01/../../x', '/etc/passwd', '', 'a//b', 'a/./b', 'x\0y', '.tmp-123', 't01/.unscrubbed-trace.zip', '..\\..\\x']) {
        expect(await refusal(store.put('job_p1', bad, 'x')), JSON.stringify(bad)).toBe('USAGE');
        expect(await refusal(store.get('job_p1', bad)), JSON.stringify(bad)).toBe('USAGE');
      }
      // A backslash is a separator, as the artifact routes read it.
      await store.put('job_p1', 't01\\a.jpg', 'x');
      expect((await store.get('job_p1', 't01/a.jpg'))?.toString()).toBe('x');
      expect(await store.list('job_p1')).toEqual([{ path: 't01/a.jpg', sha256: hex('x'), bytes: 1 }]);
    });

    test('evidence is append-only: other bytes under a stored path are refused and the first bytes stay', async ({ h, store }) => {
      await store.put('job_e1', 't01/03-deactivate.jpg', 'what really happened');
      expect(await refusal(store.put('job_e1', 't01/03-deactivate.jpg', 'a forgery'))).toBe('ARTIFACT_EXISTS');
      const other = await h.open();
      expect(await refusal(other.put('job_e1', 't01/03-deactivate.jpg', Buffer.from('another forgery')))).toBe('ARTIFACT_EXISTS');
      expect((await store.get('job_e1', 't01/03-deactivate.jpg'))?.toString()).toBe('what really happened');
    });

    test('putting identical bytes again is a no-op (a task re-run after a crash)', async ({ h, store }) => {
      const first = await store.put('job_i1', 't01/01-x.jpg', Buffer.from('same'));
      const again = await (await h.open()).put('job_i1', 't01/01-x.jpg', 'same');
      expect(again).toEqual(first);
      expect(await store.list('job_i1')).toEqual([first]);
    });

    test('putFile stores a local file under the same rules and consumes it', async ({ store }) => {
      const local = path.join(os.tmpdir(), `seatctl-art-${process.pid}-${Math.random().toString(36).slice(2)}.csv`);
      await writeFile(local, 'email,app\n');
      const stored = await store.putFile('job_f1', 'review.csv', local);
      expect(stored).toEqual({ path: 'review.csv', sha256: hex('email,app\n'), bytes: 10 });
      expect((await store.get('job_f1', 'review.csv'))?.toString()).toBe('email,app\n');
      await writeFile(local, 'edited\n');
      expect(await refusal(store.putFile('job_f1', 'review.csv', local))).toBe('ARTIFACT_EXISTS');
    });

    test('replace rewrites a regenerated document (evidence.json, report.html); discard removes a job', async ({ store }) => {
      await store.replace('job_r1', 't01/evidence.json', '[1]');
      const second = await store.replace('job_r1', 't01/evidence.json', '[1,2]');
      expect(second).toEqual({ path: 't01/evidence.json', sha256: hex('[1,2]'), bytes: 5 });
      expect((await store.get('job_r1', 't01/evidence.json'))?.toString()).toBe('[1,2]');
      await store.put('job_r2', 'roster.csv', 'x');
      await store.discard('job_r1');
      expect(await store.list('job_r1')).toEqual([]);
      expect(await store.list('job_r2')).toHaveLength(1);
    });
  });
}
