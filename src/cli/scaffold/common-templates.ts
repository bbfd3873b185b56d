import { envName } from './console-template.js';

export type DriverKind = 'console' | 'api';

/**
 * The files around a new driver: a smoke test that runs its read-only checks against
 * a real URL (no simulator), the Playwright config that runs it, and a doc stub.
 */
export function smokeTest(name: string, kind: DriverKind): string {
  const env = envName(name);
  const credentials =
    kind === 'console'
      ? `{ email: process.env.${env}_EMAIL ?? '', password: 'env:${env}_PASSWORD' }`
      : `{ apiKey: 'env:${env}_API_KEY' }`;
  return `import { expect, test } from '@playwright/test';
import { runSmoke } from 'seatctl';
import driver from './driver.js';

/**
 * Read-only smoke test against a real ${name} (no simulator): signs in, runs the
 * driver's canary (what \`seatctl doctor\` runs) and, with SEATCTL_SMOKE_EMAIL, finds
 * that person. Everything runs as a dry run: nothing in ${name} is changed.
 *
 *   ${kind === 'console' ? `${env}_EMAIL=… ${env}_PASSWORD=…` : `${env}_API_KEY=…`} \\
 *     seatctl test-driver ${'<this folder>'} --url https://… [--email someone@…]
 */
const url = process.env.SEATCTL_SMOKE_URL;

test('${name}: sign in and read users (read-only)', async () => {
  test.skip(!url, 'set SEATCTL_SMOKE_URL to the ${name} base URL to run this');
  const email = process.env.SEATCTL_SMOKE_EMAIL;
  const result = await runSmoke(driver, {
    baseUrl: url!,
    credentials: ${credentials},
    ...(email ? { email } : {}),
  });
  test.info().annotations.push({ type: 'evidence', description: result.evidenceDir });
  expect(result.users).toBeGreaterThan(0);
  if (email) expect(result.found?.email.toLowerCase()).toBe(email.toLowerCase());
});
`;
}

export function playwrightConfig(): string {
  return `import { defineConfig } from '@playwright/test';

/** Runs this driver's smoke test: seatctl test-driver <this folder> --url … */
export default defineConfig({
  testDir: '.',
  testMatch: /smoke\\.spec\\.ts$/,
  timeout: 120_000,
  workers: 1,
  reporter: 'list',
});
`;
}

export function readme(name: string, kind: DriverKind, dir: string, driverPath: string): string {
  const env = envName(name);
  const credentials =
    kind === 'console'
      ? `{ "email": "it-bot@example.com", "password": "env:${env}_PASSWORD" }`
      : `{ "apiKey": "env:${env}_API_KEY" }`;
  const guide = kind === 'console' ? 'writing-a-console-driver.md' : 'writing-an-api-driver.md';
  return `# ${name} driver (${kind})

TODO: what ${name} is, who owns its admin account, and what offboarding does there
(deactivate? delete? what happens to the person's data?).

## Files
- \`driver.ts\` — the driver: schemas and one flow per operation.${kind === 'console' ? '\n- `locators.ts` — every control the flows touch, by accessible role and name.' : ''}
- \`smoke.spec.ts\` — read-only check against a real ${name}, no simulator.
- \`playwright.config.ts\` — runs the smoke test on its own.

## Configure
\`\`\`json
"${name}": {
  "driver": "${driverPath}",
  "baseUrl": "https://${name}.example.com",
  "credentials": ${credentials}
}
\`\`\`
The driver path is relative to the config file (here: one in the folder \`seatctl new-driver\`
ran in). Then:

\`\`\`sh
seatctl doctor --apps ${name}                       # sign in, read-only canary
seatctl offboard someone@example.com --apps ${name} --dry-run
\`\`\`

## Smoke test
\`\`\`sh
${kind === 'console' ? `${env}_EMAIL=… ${env}_PASSWORD=…` : `${env}_API_KEY=…`} \\
  seatctl test-driver ${dir} --url https://${name}.example.com
\`\`\`
seatctl's own test runner and browser run it, so this folder needs no \`node_modules\`
(\`npx playwright test -c ${dir}\` works too where @playwright/test and seatctl resolve).

See seatctl's docs/${guide} and docs/debugging.md.
`;
}
