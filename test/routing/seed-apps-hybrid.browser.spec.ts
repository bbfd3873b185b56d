import { test, expect } from '@playwright/test';
import { chromium, type Browser } from 'playwright';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { LAUNCH_ARGS } from '../../src/browser/resolve-chromium.js';
import { jobDir } from '../../src/audit/job-folder.js';
import { createJobEngine } from '../../src/engine/job-engine.js';
import type { EvidenceItem, Job, Task } from '../../src/model/index.js';
import { writeJobReport } from '../../src/report/write-report.js';
import { openJobStore, type JobStore } from '../../src/store/index.js';
import { SCIM_NOT_ENABLED } from '../../fixtures/billcom/scim-routes.js';
import { fileArtifacts } from '../support/file-artifacts.js';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';

/**
 * Issue 15 as it will be checked, on the seed apps' simulators with the routed config
 * `fixtures up` writes for `hybrid: true`:
 * - Sigma `[sigma-api, sigma-ui]`: offboarding with --transfer-to hands the documents
 *   over in the admin console, then archives through the API: one task, one evidence
 *   record with screenshots and API requests side by side, in the report too;
 * - Bill.com `[scim2, billcom-ui]`: SCIM answers "not enabled", so the console does it,
 *   and the task says why.
 * Ground truth is each simulator's own state, and the files on disk.
 */
const MANAGER = 'mia.manager@example.com';
const LEAVER = 'jdoe@example.com';

let env: SimEnv;
let store: JobStore;
let job: Job;
let browser: Browser;

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const taskOf = (app: string): Task => job.tasks.find((t) => t.app === app)!;
const record = async (t: Task): Promise<EvidenceItem[]> => JSON.parse(await readFile(path.join(jobDir(env.config.dataDir, job.id), t.id, 'evidence.json'), 'utf8')) as EvidenceItem[];
const notesOf = (items: EvidenceItem[]): string[] => items.flatMap((i) => (i.kind === 'note' ? [i.text] : []));
interface SigmaTruth {
  users: { memberId: string; email: string; isArchived: boolean }[];
  documents: { id: string; ownerId: string; parentId: string | null; path?: string; name: string }[];
  mutations: { method: string; path: string; userId: string }[];
}

test.beforeAll(async () => {
  test.setTimeout(300_000);
  env = await startSimEnv(['bigid', 'sigma', 'billcom'], { users: 3, hybrid: true });
  env.fixtures.sigma!.store.createMember({ email: MANAGER, memberType: 'Creator', firstName: 'Mia', lastName: 'Manager' });
  store = await openJobStore(env.config);
  browser = await chromium.launch({ executablePath: process.env.SEATCTL_TEST_CHROMIUM, args: LAUNCH_ARGS });
});

test.afterAll(async () => {
  await browser?.close();
  await store?.close();
  await env?.close();
});

test('offboard --transfer-to over BigID, Sigma and Bill.com: the console hands Sigma documents over, the API archives, Bill.com falls back to its console', async () => {
  test.setTimeout(300_000);
  const sigmaBefore = (await (await fetch(env.fixtures.apps.sigma!.stateUrl)).json()) as SigmaTruth;
  const leaverId = sigmaBefore.users.find((u) => u.email === LEAVER)!.memberId;
  const managerId = sigmaBefore.users.find((u) => u.email === MANAGER)!.memberId;
  // Their documents and folders, not the My Documents folder itself (a member's home stays theirs).
  const owned = sigmaBefore.documents.filter((d) => d.ownerId === leaverId && d.parentId !== null).map((d) => d.id).sort();
  expect(owned.length).toBeGreaterThan(0);

  const engine = createJobEngine({ runtime: env.runtime, store, approvals: env.config.approvals });
  const { stored } = await engine.submit({ kind: 'offboard', email: LEAVER, apps: 'all', mode: 'deactivate', transferTo: MANAGER, dryRun: false, requireApproval: false });
  job = (await engine.process(stored.job.id)).job;
  expect(job.status, JSON.stringify(job.tasks.map((t) => [t.app, t.outcome, t.error]))).toBe('succeeded');

  // Sigma: the plan names a driver per step; documents first (console), then the archive (API).
  const sigma = taskOf('sigma');
  expect(sigma.outcome).toBe('changed');
  expect(sigma.plan?.steps).toEqual([
    { operation: 'transfer-ownership', driver: 'sigma-ui' },
    { operation: 'deactivate', driver: 'sigma-api' },
  ]);
  const sigmaAfter = (await (await fetch(env.fixtures.apps.sigma!.stateUrl)).json()) as SigmaTruth;
  expect(sigmaAfter.users.find((u) => u.memberId === leaverId)!.isArchived).toBe(true);
  // Every document the leaver owned now belongs to the manager, none to the API client.
  for (const id of owned) expect(sigmaAfter.documents.find((d) => d.id === id)!.ownerId, id).toBe(managerId);
  expect(sigmaAfter.documents.filter((d) => d.ownerId === leaverId).map((d) => d.path)).toEqual(['My Documents']);
  // Exactly two changes, in this order: the console's hand-over, then the API's archive.
  expect(sigmaAfter.mutations.filter((m) => m.userId === leaverId).map((m) => `${m.method} ${m.path}`)).toEqual([`POST /admin/people/${leaverId}/transfer`, `DELETE /v2/members/${leaverId}`]);

  // One evidence record: the console's screenshots and the API's requests side by side.
  const sigmaRecord = await record(sigma);
  const shots = sigmaRecord.filter((i) => i.kind === 'screenshot');
  expect(shots.length).toBeGreaterThanOrEqual(2);
  expect(sigmaRecord.some((i) => i.kind === 'request' && i.method === 'DELETE' && new URL(i.url).pathname.endsWith(`/members/${leaverId}`))).toBe(true);
  const dir = path.join(jobDir(env.config.dataDir, job.id), sigma.id);
  const onDisk = new Set(await Promise.all((await readdir(dir)).map(async (n) => sha(await readFile(path.join(dir, n))))));
  for (const s of shots) expect(onDisk.has((s as { sha256: string }).sha256), s.kind === 'screenshot' ? s.caption : '').toBe(true);

  // BigID has nothing to hand over: deactivated as usual in the same job.
  const bigid = taskOf('bigid');
  expect(bigid.outcome).toBe('changed');
  expect(bigid.plan?.operations).toEqual(['deactivate']);

  // Bill.com: SCIM first, "not enabled", so the console deactivated; the reason is on the task.
  const billcom = taskOf('billcom');
  expect(billcom.outcome).toBe('changed');
  // The plan's read was refused by SCIM, so the plan already names the console for the change.
  expect(billcom.plan?.steps).toEqual([{ operation: 'deactivate', driver: 'billcom-ui' }]);
  const billcomState = (await (await fetch(env.fixtures.apps.billcom!.stateUrl)).json()) as { users: { email: string; status: string }[]; mutations: unknown[] };
  expect(billcomState.users.find((u) => u.email === LEAVER)!.status).toBe('Inactive');
  expect(billcomState.mutations).toHaveLength(1);
  const billcomRecord = await record(billcom);
  expect(notesOf(billcomRecord).join('\n')).toContain(SCIM_NOT_ENABLED);
  expect(notesOf(billcomRecord).join('\n')).toMatch(/handing to billcom-ui/);
  expect(billcomRecord.some((i) => i.kind === 'request' && i.url.includes('/scim/v2/') && i.status === 403)).toBe(true);
  expect(billcomRecord.some((i) => i.kind === 'screenshot')).toBe(true);

  // The report as an auditor opens it: Sigma's section shows its own screenshots and its API requests.
  const report = await writeJobReport(store, fileArtifacts(env.config.dataDir), job.id);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`file://${path.join(jobDir(env.config.dataDir, job.id), report.path)}`);
  await expect(page.locator('#verification')).toHaveText(/^✔ verified: /);
  const section = page.locator(`section#task-${sigma.id}`);
  const images = await section.locator('figure img').evaluateAll((els) => els.map((e) => e.getAttribute('src') ?? ''));
  expect(images.length).toBe(shots.length);
  for (const src of images) expect(onDisk.has(sha(Buffer.from(src.slice(src.indexOf(',') + 1), 'base64')))).toBe(true);
  await expect(section).toContainText('sigma-ui');
  await expect(section).toContainText('sigma-api');
  await expect(section).toContainText(`/members/${leaverId}`);
  await section.screenshot({ path: path.join(env.dir, 'report-sigma-hybrid.png') });
  await page.close();
});
