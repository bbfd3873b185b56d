import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright';
import { billcomLocators } from '../../flows/billcom/locators.js';
import { stitchLocators } from '../../flows/stitch/locators.js';
import { LAUNCH_ARGS, resolveChromium } from '../../src/browser/resolve-chromium.js';
import { jobDir } from '../../src/audit/job-folder.js';
import type { Job, Task } from '../../src/model/index.js';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';
import { looseModes } from '../service/file-modes.js';

/**
 * The console drivers' own sign-in screenshots (Stitch, and Bill.com with its MFA
 * step), read back pixel by pixel: where the password field (and the MFA code) is on
 * the page, the JPEG holds a flat block of the mask colour (#111111); the same region
 * of an unmasked screenshot of the same page with the password typed is not one.
 * The field's box comes from rendering the same page at the same viewport here.
 */
test.describe.configure({ mode: 'serial' });

const VIEWPORT = { width: 1280, height: 860 };
const MASK = 0x11;

let env: SimEnv;
let browser: Browser;
let job: Job;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface Stats {
  width: number;
  height: number;
  mean: [number, number, number];
  std: number;
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  env = await startSimEnv(['stitch', 'billcom'], { users: 4 });
  // A dry run still signs in (to read each account), and the sign-in is where the screenshots are.
  job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['stitch', 'billcom'], dryRun: true });
  browser = await chromium.launch({ executablePath: process.env.SEATCTL_TEST_CHROMIUM ?? resolveChromium().path, args: LAUNCH_ARGS });
});
test.afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const task = (app: string): Task => job.tasks.find((t) => t.app === app)!;

/** The screenshot file a task's evidence lists under this caption. */
function shot(app: string, caption: string): Buffer {
  const t = task(app);
  const item = t.evidence.find((e) => e.kind === 'screenshot' && 'caption' in e && e.caption === caption);
  expect(item, `${app}: no screenshot "${caption}" in ${JSON.stringify(t.evidence.map((e) => ('caption' in e ? e.caption : e.kind)))}`).toBeTruthy();
  return readFileSync(path.join(jobDir(env.config.dataDir, job.id), t.id, (item as { path: string }).path));
}

/** Decodes an image in Chromium (no image library needed) and measures a region, inset so JPEG edge ringing stays out. */
async function regionStats(image: Buffer, box: Box, type: 'jpeg' | 'png' = 'jpeg'): Promise<Stats> {
  const page = await browser.newPage();
  try {
    await page.setContent(`<img id="shot" src="data:image/${type};base64,${image.toString('base64')}">`);
    return await page.evaluate(async (b) => {
      const img = document.getElementById('shot') as HTMLImageElement;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const g = canvas.getContext('2d')!;
      g.drawImage(img, 0, 0);
      const inset = 3;
      const x = Math.round(b.x) + inset;
      const y = Math.round(b.y) + inset;
      const w = Math.max(1, Math.round(b.width) - 2 * inset);
      const h = Math.max(1, Math.round(b.height) - 2 * inset);
      const data = g.getImageData(x, y, w, h).data;
      const n = data.length / 4;
      const sum = [0, 0, 0];
      for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sum[c]! += data[i + c]!;
      const mean = sum.map((s) => s / n) as [number, number, number];
      let sq = 0;
      for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sq += (data[i + c]! - mean[c]!) ** 2;
      return { width: img.naturalWidth, height: img.naturalHeight, mean, std: Math.sqrt(sq / (n * 3)) };
    }, box);
  } finally {
    await page.close();
  }
}

const isMaskBlock = (s: Stats): boolean => s.mean.every((m) => Math.abs(m - MASK) < 16) && s.std < 8;

async function boxOf(locator: Locator): Promise<Box> {
  await locator.waitFor({ state: 'visible' });
  const box = await locator.boundingBox();
  expect(box).not.toBeNull();
  expect(box!.width).toBeGreaterThan(20);
  expect(box!.height).toBeGreaterThan(10);
  return box!;
}

async function freshPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  return context.newPage();
}

async function assertMasked(masked: Buffer, unmasked: Buffer, box: Box, what: string): Promise<void> {
  const m = await regionStats(masked, box);
  expect({ width: m.width, height: m.height }, `${what}: the trail's screenshot is not at the flows' viewport`).toEqual(VIEWPORT);
  expect(isMaskBlock(m), `${what}: masked region ${JSON.stringify(m)} is not a flat #111111 block`).toBe(true);
  const u = await regionStats(unmasked, box);
  expect(isMaskBlock(u), `${what}: the unmasked screenshot's region ${JSON.stringify(u)} looks masked too, so the check proves nothing`).toBe(false);
}

test('Stitch: the password field is a flat mask block in the sign-in screenshot', async () => {
  const masked = shot('stitch', 'sign-in form (password masked)');
  const sim = env.fixtures.stitch!;
  const page = await freshPage();
  try {
    await page.goto(new URL('/signin', sim.url).toString());
    await stitchLocators.loginEmail(page).fill(sim.credentials.email);
    const password = stitchLocators.loginPassword(page);
    await password.fill(sim.credentials.password);
    const box = await boxOf(password);
    const unmasked = await page.screenshot({ type: 'jpeg', quality: 70, animations: 'disabled', caret: 'hide' });
    await assertMasked(masked, unmasked, box, 'stitch password');
  } finally {
    await page.context().close();
  }
});

test('Bill.com: the password field and the MFA code are flat mask blocks', async () => {
  const maskedLogin = shot('billcom', 'sign-in form (password masked)');
  const maskedMfa = shot('billcom', 'MFA code (masked)');
  const sim = env.fixtures.billcom!;
  const page = await freshPage();
  try {
    await page.goto(new URL('/login', sim.url).toString());
    await billcomLocators.loginEmail(page).fill(sim.credentials.email);
    const password = billcomLocators.loginPassword(page);
    await password.fill(sim.credentials.password);
    const box = await boxOf(password);
    const unmasked = await page.screenshot({ type: 'jpeg', quality: 70, animations: 'disabled', caret: 'hide' });
    await assertMasked(maskedLogin, unmasked, box, 'bill.com password');

    // The MFA page as the flow leaves it before its screenshot: authenticator mode, code typed, device trusted.
    await billcomLocators.signIn(page).click();
    await billcomLocators.mfaHeading(page).waitFor();
    if (await billcomLocators.useAuthenticator(page).isVisible()) {
      await billcomLocators.useAuthenticator(page).click();
      await billcomLocators.authenticatorMode(page).waitFor();
    }
    const code = billcomLocators.mfaCode(page);
    await code.fill('123456');
    await billcomLocators.trustDevice(page).check();
    const codeBox = await boxOf(code);
    const unmaskedMfa = await page.screenshot({ type: 'jpeg', quality: 70, animations: 'disabled', caret: 'hide' });
    await assertMasked(maskedMfa, unmaskedMfa, codeBox, 'bill.com MFA code');
  } finally {
    await page.context().close();
  }
});

test("the console tasks' evidence, traces and saved sessions are owner-only", async () => {
  const { problems, files } = looseModes(env.config.dataDir);
  expect(problems).toEqual([]);
  expect(files.some((f) => f.endsWith('.jpg'))).toBe(true);
  expect(files.some((f) => /trace-.*\.zip$/.test(f))).toBe(true);
  expect(files).toEqual(expect.arrayContaining([path.join('sessions', 'stitch.json'), path.join('sessions', 'billcom.json')]));
});
