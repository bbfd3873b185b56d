import type { Locator, Page } from 'playwright';
import type { EvidenceSink } from '../drivers/driver.js';

/**
 * Screenshots for the audit trail: JPEG (half the cost of PNG here), viewport only,
 * animations frozen, and every secret field painted over. A screenshot that fails is
 * logged in the evidence and never replaces the task's real outcome.
 */
export async function captureStep(page: Page, sink: EvidenceSink, caption: string, masks: Locator[], name: string): Promise<void> {
  try {
    const image = await page.screenshot({
      type: 'jpeg',
      quality: 70,
      animations: 'disabled',
      caret: 'hide',
      mask: [page.locator('input[type=password]'), ...masks],
      maskColor: '#111111',
      timeout: 10_000,
    });
    await sink.saveFile(`${name}.jpg`, image, 'screenshot', caption);
  } catch (err) {
    sink.note(`screenshot "${caption}" failed: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** On failure: what the page looked like and its HTML (password values are never in the DOM text). */
export async function captureFailure(page: Page, sink: EvidenceSink, masks: Locator[]): Promise<void> {
  if (page.isClosed()) return;
  await captureStep(page, sink, 'page at the failure', masks, 'failure');
  try {
    const html = await page.content();
    await sink.saveFile('failure.html', html, 'html', 'page HTML at the failure');
  } catch (err) {
    sink.note(`could not save the page HTML: ${(err as Error).message.split('\n')[0]}`);
  }
}
