import type { FastifyInstance } from 'fastify';
import { createAuthenticator, type BearerScheme } from '../../src/auth/authenticator.js';
import { createTokenPrincipals, type TokenPrincipalInput } from '../../src/auth/token-principals.js';
import path from 'node:path';
import { DEFAULT_APPROVALS, type ApprovalsConfig } from '../../src/config/approval-schema.js';
import { createService, type Service, type ServiceDeps } from '../../src/service/service.js';
import { openJobStore } from '../../src/store/index.js';
import { startApiEnv, type ApiEnv, type ApiEnvOptions } from './api-env.js';

/** The job service on the API simulators, not listening: tests use fastify's inject. */
export interface ServiceEnv extends ApiEnv {
  service: Service;
  token: string;
  call(method: 'GET' | 'POST', url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any; text: string; headers: Record<string, unknown> }>;
  waitFor(jobId: string, statuses: string[]): Promise<any>;
}

export const TEST_TOKEN = 'test-token-0123456789abcdef';
/**
 * A second person, `token:approver`: TEST_TOKEN's admin submits, and may not approve its
 * own job (separation of duties), so tests about approvals approve as this one.
 */
export const APPROVER_TOKEN = 'approver-token-0123456789abcdef';
export const AS_APPROVER = { authorization: `Bearer ${APPROVER_TOKEN}` };

export interface ServiceEnvOptions extends ApiEnvOptions {
  approvals?: Partial<ApprovalsConfig>;
  tokenless?: boolean;
  principals?: TokenPrincipalInput[];
  /** Tried after the tokens, as serve does with `service.oidc`. */
  schemes?: BearerScheme[];
  /** The web console's options (its session store, shared with a sign-in method). */
  console?: ServiceDeps['console'];
  /** Registers more routes (sign-in methods) before the app is ready. */
  extend?: (app: FastifyInstance) => void;
}

export async function startServiceEnv(options: ServiceEnvOptions = {}): Promise<ServiceEnv> {
  const env = await startApiEnv(options);
  const store = await openJobStore(env.config);
  const service = createService({
    config: env.config,
    runtime: env.runtime,
    store,
    approvals: { ...DEFAULT_APPROVALS, ...options.approvals },
    log: env.runtime.log,
    // TEST_TOKEN is always the admin `service-token`, APPROVER_TOKEN the approver `approver`; further principals come on top.
    auth: options.tokenless ? null : createAuthenticator(createTokenPrincipals([{ name: 'service-token', roles: ['admin'], token: TEST_TOKEN }, { name: 'approver', roles: ['approver'], token: APPROVER_TOKEN }, ...(options.principals ?? [])]), options.schemes),
    schedulerTickMs: 50,
    webhookPollMs: 50,
    ...(options.console ? { console: options.console } : {}),
  });
  options.extend?.(service.app);
  await service.start();
  const call: ServiceEnv['call'] = async (method, url, body, headers = {}) => {
    // Every POST says application/json (the service refuses others), a bodiless one with `{}`.
    const payload = body === undefined ? (method === 'POST' ? '{}' : undefined) : typeof body === 'string' ? body : JSON.stringify(body);
    const res = await service.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(payload !== undefined ? { payload } : {}),
    });
    let json: unknown = null;
    try {
      json = JSON.parse(res.body);
    } catch {
      json = null;
    }
    return { status: res.statusCode, json, text: res.body, headers: res.headers };
  };
  return {
    ...env,
    service,
    token: TEST_TOKEN,
    call,
    async waitFor(jobId, statuses) {
      for (let i = 0; i < 400; i++) {
        const r = await call('GET', `/v1/jobs/${jobId}`);
        if (statuses.includes(r.json?.job?.status)) return r.json.job;
        await new Promise((res) => setTimeout(res, 25));
      }
      throw new Error(`job ${jobId} did not reach ${statuses.join('|')}`);
    },
    async close() {
      await service.stop(5000);
      await env.close();
    },
  };
}

export const dataPath = (env: ApiEnv, ...parts: string[]) => path.join(env.config.dataDir, ...parts);
