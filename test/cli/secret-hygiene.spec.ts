import { test, expect } from '@playwright/test';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { startApiEnv } from '../support/api-env.js';

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

/**
 * Every kind of work, with logs at debug level and faults that put tokens and bodies
 * in error paths, then a scan of every captured log line and every file written for
 * every configured secret and every token the apps issued.
 */
test('no secret or token in logs, evidence, job records or errors', async () => {
  const env = await startApiEnv();
  try {
    env.bigid.faults.enqueue({ kind: '503', times: 1 });
    env.sigma.faults.enqueue({ kind: 'reset-after-commit', method: 'DELETE', pathPrefix: '/v2/members/' });
    const jobs = [
      await env.run({ kind: 'offboard', email: 'jdoe@example.com' }),
      await env.run({ kind: 'provision', email: 'lee@example.com', firstName: 'Lee', lastName: 'Ng', roles: { bigid: 'Viewer', sigma: 'Viewer' } }),
      await env.run({ kind: 'set-role', email: 'asmith@example.com', roles: { bigid: 'Nope', sigma: 'Nope' } }),
      await env.run({ kind: 'offboard', email: 'asmith@example.com', dryRun: true }),
    ];
    env.bigid.expireTokens();
    env.sigma.expireTokens();
    jobs.push(await env.run({ kind: 'offboard', email: 'samlsam@example.com' }));

    const tokens = [...env.bigid.issuedTokens(), ...env.sigma.issuedTokens()];
    // Tokens were issued again after the forced expiry: both apps, at least twice each.
    expect(tokens.length).toBeGreaterThanOrEqual(4);
    const secrets = [...env.secrets, ...tokens];
    const haystacks: [string, string][] = env.logs.map((l, i) => [`log line ${i}`, l]);
    haystacks.push(['job objects', JSON.stringify(jobs)]);
    for await (const file of walk(env.config.dataDir)) haystacks.push([file, await readFile(file, 'utf8')]);
    expect(haystacks.length).toBeGreaterThan(10);
    for (const [where, text] of haystacks) for (const s of secrets) expect(text.includes(s), `${where} contains a secret`).toBe(false);
    // The password was really used (the redactor knows it), so the scan is meaningful.
    expect(env.redactor.secrets).toEqual(expect.arrayContaining([env.bigid.credentials.password, env.sigma.credentials.clientSecret]));
  } finally {
    await env.close();
  }
});
