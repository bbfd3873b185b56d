import { test, expect } from '@playwright/test';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { base64url, exportSPKI, generateKeyPair, importJWK, SignJWT, type CryptoKey } from 'jose';
import { launchFixtures, type LaunchedFixtures } from '../../fixtures/launch.js';
import { createOidcBearerScheme } from '../../src/auth/oidc-bearer.js';
import { oidcConfigSchema, type OidcConfig } from '../../src/config/oidc-schema.js';
import { scanRoot, registerSecret, saveCapturedLogs } from '../support/scan-root.js';
import { kill9, serveProcess, type ServeProcess } from '../support/serve-process.js';
import { startServiceEnv, type ServiceEnv } from '../support/service-env.js';
import { startTestIdp, type TestIdp } from '../support/test-idp.js';
import { mkdtemp } from 'node:fs/promises';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor } from '../../src/log/redactor.js';

/**
 * Issue 13 item 1 (OIDC bearer JWTs): tokens from the team's IdP are principals. Keys
 * are made here, the JWKS is served on loopback by a real HTTP server, JWTs are signed
 * here; the service checks signature, algorithm, issuer, audience and times, and maps
 * the roles claim through roleMap.
 */
test.describe.configure({ mode: 'serial' });

const AUDIENCE = 'api://seatctl';
const ROLE_MAP = { 'seatctl-requesters': 'requester', 'seatctl-approvers': 'approver', 'seatctl-auditors': 'auditor' } as const;
let idp: TestIdp;
let env: ServiceEnv;
/** What the OIDC scheme logged (serve gives it the service's logger). */
const oidcLogs: string[] = [];
const log = createLogger({ redactor: createRedactor(), level: 'debug', destination: { write: (line: string) => void oidcLogs.push(line) } });

const oidcConfig = (extra: Partial<Record<keyof OidcConfig, unknown>> = {}): OidcConfig =>
  oidcConfigSchema.parse({ issuer: idp.issuer, audience: AUDIENCE, jwksUrl: idp.jwksUrl, rolesClaim: 'groups', roleMap: ROLE_MAP, ...extra });
const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });

test.beforeAll(async () => {
  idp = await startTestIdp({ audience: AUDIENCE });
  env = await startServiceEnv({ schemes: [createOidcBearerScheme(oidcConfig(), { log })] });
});
test.afterAll(async () => {
  await env?.close();
  await idp?.close();
  saveCapturedLogs(scanRoot(), oidcLogs, 'oidc-bearer.log');
});

test('issue 13 item 1: a JWT with the right issuer, audience and groups is a principal with the mapped roles', async () => {
  const requester = await idp.sign(idp.claims({ sub: 'alice-0001', email: 'alice@example.com', groups: ['seatctl-requesters', 'unrelated'] }));
  const auditor = await idp.sign(idp.claims({ sub: 'carol-0003', email: 'carol@example.com', groups: ['seatctl-auditors'] }), { alg: 'ES256' });

  const submitted = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], dryRun: true }, bearer(requester));
  expect(submitted.status, submitted.text).toBe(202);
  expect(submitted.json.job.requestedBy).toBe('oidc:alice-0001');
  expect((await env.service.engine.process(submitted.json.job.id)).meta.requestedBy).toBe('oidc:alice-0001');

  // The auditor (an ES256 token) reads but cannot change anything.
  expect((await env.call('GET', `/v1/jobs/${submitted.json.job.id}`, undefined, bearer(auditor))).status).toBe(200);
  const refused = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] }, bearer(auditor));
  expect(refused.status).toBe(403);
  expect(refused.json.error.code).toBe('FORBIDDEN');
  expect(refused.json.error.message).toContain('carol@example.com');

  // Configured tokens still work next to OIDC.
  expect((await env.call('GET', '/v1/jobs')).status).toBe(200);
});

test('issue 13 item 1: expired, not-yet-valid, wrong audience or issuer, unknown kid, alg none, HS256 with the public key and a tampered payload are 401', async () => {
  const now = Math.floor(Date.now() / 1000);
  const good = idp.claims({ sub: 'alice-0001', groups: ['seatctl-requesters'] });
  const rogue = await generateKeyPair('RS256');
  // The classic confusion: the IdP's public key (PEM) as an HMAC secret.
  const hmacWithPublicKey = new TextEncoder().encode(await exportSPKI((await importJWK(idp.rsaPublicJwk, 'RS256')) as CryptoKey));
  const valid = await idp.sign(good);
  const [h, , s] = valid.split('.');
  const enc = (o: unknown) => base64url.encode(JSON.stringify(o));
  // Each case with the reason the service logs for it: refused for its own fault, not by accident.
  const cases: Record<string, [string, string]> = {
    expired: [await idp.sign({ ...good, iat: now - 7200, exp: now - 3600 }), 'ERR_JWT_EXPIRED'],
    'not yet valid': [await idp.sign({ ...good, nbf: now + 3600 }), '"claim":"nbf"'],
    'no exp': [await idp.sign(Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'exp'))), '"claim":"exp"'],
    'wrong audience': [await idp.sign({ ...good, aud: 'api://someone-else' }), '"claim":"aud"'],
    'wrong issuer': [await idp.sign({ ...good, iss: 'https://evil.example.com' }), '"claim":"iss"'],
    'unknown kid': [await idp.sign(good, { kid: 'rogue-1', key: rogue.privateKey }), 'ERR_JWKS_NO_MATCHING_KEY'],
    'known kid, other key': [await idp.sign(good, { kid: 'rsa-1', key: rogue.privateKey }), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
    'alg none': [`${enc({ alg: 'none', typ: 'JWT' })}.${enc(good)}.`, 'ERR_JOSE_ALG_NOT_ALLOWED'],
    'HS256 with the public key': [await new SignJWT(good).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).sign(hmacWithPublicKey), 'ERR_JOSE_ALG_NOT_ALLOWED'],
    'tampered payload': [`${h}.${enc({ ...good, groups: ['seatctl-approvers'] })}.${s}`, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
  };
  for (const [name, [jwt, reason]] of Object.entries(cases)) {
    registerSecret(jwt, `refused JWT (${name})`);
    const before = oidcLogs.length;
    const r = await env.call('GET', '/v1/jobs', undefined, bearer(jwt));
    expect(r.status, name).toBe(401);
    expect(r.json.error.code, name).toBe('UNAUTHORIZED');
    expect(oidcLogs.slice(before).join(''), name).toContain(reason);
  }
  // The same request with the genuine token passes: the cases fail for their one fault.
  expect((await env.call('GET', '/v1/jobs', undefined, bearer(valid))).status).toBe(200);
  // Refusals are logged by reason, never with the token.
  const logged = oidcLogs.join('') + env.logs.join('');
  expect(logged).toContain('OIDC bearer token refused');
  for (const jwt of [valid, ...Object.values(cases).map(([t]) => t)]) expect(logged).not.toContain(jwt.split('.')[2] || jwt.split('.')[1]);
});

test('issue 13 item 1: a valid identity whose groups map to no role is 403 FORBIDDEN, not 401', async () => {
  for (const groups of [['marketing'], [], undefined]) {
    const jwt = await idp.sign(idp.claims({ sub: 'mallory-9', email: 'mallory@example.com', ...(groups ? { groups } : {}) }));
    const r = await env.call('GET', '/v1/jobs', undefined, bearer(jwt));
    expect(r.status, JSON.stringify(groups)).toBe(403);
    expect(r.json.error.code).toBe('FORBIDDEN');
    expect(r.json.error.message).toContain('roleMap');
  }
});

test('issue 13 item 1: an unreachable JWKS is 503 IDP_UNAVAILABLE, and the service recovers when the IdP does', async () => {
  const fresh = await startServiceEnv({ schemes: [createOidcBearerScheme(oidcConfig(), { log })] });
  try {
    const jwt = await idp.sign(idp.claims({ groups: ['seatctl-auditors'] }));
    idp.mode.jwks = 'error';
    const down = await fresh.call('GET', '/v1/jobs', undefined, bearer(jwt));
    expect(down.status).toBe(503);
    expect(down.json.error.code).toBe('IDP_UNAVAILABLE');
    // Configured tokens do not depend on the IdP.
    expect((await fresh.call('GET', '/v1/jobs')).status).toBe(200);
    idp.mode.jwks = 'ok';
    expect((await fresh.call('GET', '/v1/jobs', undefined, bearer(jwt))).status).toBe(200);
  } finally {
    idp.mode.jwks = 'ok';
    await fresh.close();
  }
  // A JWKS on a port nobody listens on: 503 as well, not a hang or a crash.
  const closed = createOidcBearerScheme(oidcConfig({ jwksUrl: 'http://127.0.0.1:9/jwks' }), { log });
  await expect(closed.verify(await idp.sign(idp.claims({ groups: ['seatctl-auditors'] })))).rejects.toMatchObject({ code: 'IDP_UNAVAILABLE' });
});

test('issue 13 item 1: without jwksUrl the keys come from the discovery document, which must name the same issuer', async () => {
  const jwt = await idp.sign(idp.claims({ sub: 'dave-4', groups: ['seatctl-approvers'] }));
  const discovered = createOidcBearerScheme(oidcConfig({ jwksUrl: undefined }), { log });
  expect(await discovered.verify(jwt)).toEqual({ id: 'oidc:dave-4', name: 'dave-4', roles: ['approver'], via: 'oidc' });

  idp.mode.discoveryIssuer = 'https://impostor.example.com';
  try {
    const spoofed = createOidcBearerScheme(oidcConfig({ jwksUrl: undefined }), { log });
    await expect(spoofed.verify(jwt)).rejects.toMatchObject({ code: 'IDP_UNAVAILABLE' });
  } finally {
    delete idp.mode.discoveryIssuer;
  }
  // Opaque tokens are not this scheme's business: null, so other schemes may try.
  expect(await discovered.verify('not-a-jwt-token-at-all')).toBeNull();
});

test('issue 13 item 1: the roles claim may be a string, a namespaced claim or a nested path; names fall back to sub', async () => {
  const cases = [
    { rolesClaim: 'roles', claims: { roles: 'seatctl-approvers' }, roles: ['approver'] },
    { rolesClaim: 'https://example.com/roles', claims: { 'https://example.com/roles': ['seatctl-auditors', 'seatctl-requesters'] }, roles: ['requester', 'auditor'] },
    { rolesClaim: 'realm_access.roles', claims: { realm_access: { roles: ['seatctl-approvers'] } }, roles: ['approver'] },
  ];
  for (const c of cases) {
    const scheme = createOidcBearerScheme(oidcConfig({ rolesClaim: c.rolesClaim, nameClaim: 'preferred_username' }), { log });
    const p = await scheme.verify(await idp.sign(idp.claims({ sub: 'erin-5', ...c.claims })));
    expect(p, c.rolesClaim).toEqual({ id: 'oidc:erin-5', name: 'erin-5', roles: c.roles, via: 'oidc' });
  }
});

test('issue 13 item 1: algorithms narrows what is accepted: an ES256 token is refused when only RS256 is allowed', async () => {
  const rsOnly = createOidcBearerScheme(oidcConfig({ algorithms: ['RS256'] }), { log });
  const claims = idp.claims({ sub: 'frank-6', groups: ['seatctl-auditors'] });
  expect(await rsOnly.verify(await idp.sign(claims, { alg: 'ES256' }))).toBeNull();
  expect((await rsOnly.verify(await idp.sign(claims, { alg: 'RS256' })))?.id).toBe('oidc:frank-6');
});

test('issue 13 item 1: config refuses HS and none algorithms, plain-http IdPs beyond loopback, and an empty roleMap, naming the field', () => {
  const base = { issuer: 'https://idp.example.com', audience: 'a', rolesClaim: 'groups', roleMap: { g: 'admin' } };
  expect(oidcConfigSchema.safeParse(base).success).toBe(true);
  for (const [bad, field] of [
    [{ algorithms: ['HS256'] }, 'algorithms'],
    [{ algorithms: ['none'] }, 'algorithms'],
    [{ issuer: 'http://idp.example.com' }, 'issuer'],
    [{ jwksUrl: 'http://idp.example.com/keys' }, 'jwksUrl'],
    [{ roleMap: {} }, 'roleMap'],
    [{ roleMap: { g: 'root' } }, 'roleMap'],
    [{ clientSecret: 'plain-secret' }, 'clientSecret'],
    [{ redirectUrl: 'https://seatctl.example.com/elsewhere' }, 'redirectUrl'],
  ] as const) {
    const r = oidcConfigSchema.safeParse({ ...base, ...bad });
    expect(r.success, JSON.stringify(bad)).toBe(false);
    expect(r.error!.issues[0]!.path[0], JSON.stringify(bad)).toBe(field);
  }
});

test.describe('through seatctl serve', () => {
  let fx: LaunchedFixtures;
  let serve: ServeProcess | undefined;
  test.afterAll(async () => {
    if (serve) await kill9(serve.child);
    await fx?.close();
  });

  test('issue 13 item 1: serve with only service.oidc listens beyond loopback and takes IdP JWTs', async () => {
    const dir = await mkdtemp(path.join(scanRoot(), 'seatctl-oidc-serve-'));
    fx = await launchFixtures({ dir, apps: ['bigid'] });
    const config = JSON.parse(await readFile(fx.configPath, 'utf8'));
    config.service = { oidc: { issuer: idp.issuer, audience: AUDIENCE, rolesClaim: 'groups', roleMap: ROLE_MAP } };
    const configPath = path.join(dir, 'oidc.config.json');
    await writeFile(configPath, JSON.stringify(config), { mode: 0o600 });
    serve = await serveProcess(configPath, null, ['--host', '0.0.0.0']);
    const url = serve.url.replace('0.0.0.0', '127.0.0.1');
    expect(serve.stdout()).toContain(`OIDC ${idp.issuer}`);

    const requester = await idp.sign(idp.claims({ sub: 'alice-0001', email: 'alice@example.com', groups: ['seatctl-requesters'] }));
    const submit = await fetch(`${url}/v1/jobs`, { method: 'POST', headers: { ...bearer(requester), 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], dryRun: true }) });
    expect(submit.status).toBe(202);
    expect(((await submit.json()) as any).job.requestedBy).toBe('oidc:alice-0001');

    const expired = await idp.sign(idp.claims({ groups: ['seatctl-requesters'], iat: 1, exp: 2 }));
    expect((await fetch(`${url}/v1/jobs`, { headers: bearer(expired) })).status).toBe(401);
    expect((await fetch(`${url}/v1/jobs`, { headers: bearer(await idp.sign(idp.claims({ aud: 'other' }))) })).status).toBe(401);
    expect((await fetch(`${url}/v1/jobs`)).status).toBe(401);

    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    for (const jwt of [requester, expired]) expect(serve.stderr() + serve.stdout()).not.toContain(jwt.split('.')[2]);
  });
});
