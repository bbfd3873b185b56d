import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseConfig, type LoadedConfig } from '../../src/config/load-config.js';
import { builtInDrivers } from '../../src/composition/built-in-drivers.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor } from '../../src/log/redactor.js';
import { createRuntime, type Runtime } from '../../src/engine/runtime.js';
import { NO_APPROVAL_GATE, runToEnd } from '../../src/engine/run-to-end.js';
import { schedulerForApps } from '../../src/queue/scheduler.js';
import { actionRequestSchema, type Job, type JobRequestInput } from '../../src/model/index.js';
import { startSigmaSimulator, type SigmaSimulator, type SigmaSimulatorOptions } from '../../fixtures/sigma/index.js';
import { startScimPeer, type ScimPeer, type ScimPeerOptions, type SeedUser } from '../../fixtures/scim-peer/index.js';
import { startFaultProxy, type FaultProxy } from '../../fixtures/common/fault-proxy.js';
import { FIXED_PEOPLE, generatePeople } from '../../fixtures/common/people.js';
import { createRng, pick } from '../../fixtures/common/rng.js';
import { registerSecret, saveCapturedLogs, scanTempDir } from './scan-root.js';

/**
 * The `scim2` driver configured as app `scim` against one SCIM server: Sigma's
 * simulator (/scim/v2) or the independent SCIMMY peer, optionally behind the fault
 * proxy. Ground truth is read from the server's own store, never from the driver.
 */
export interface ScimTruthUser {
  email: string;
  active: boolean;
  role: string | null;
  id: string;
}

export interface ScimEnv {
  runtime: Runtime;
  config: LoadedConfig;
  sigma?: SigmaSimulator;
  peer?: ScimPeer;
  proxy?: FaultProxy;
  logs: string[];
  dir: string;
  token: string;
  users(): Promise<ScimTruthUser[]>;
  mutations(): Promise<{ method: string; path: string; userId: string }[]>;
  run(request: JobRequestInput): Promise<Job>;
  close(): Promise<void>;
}

export interface ScimEnvOptions {
  /** `url`: a server the test started itself, at `upstream` (its SCIM base is `<upstream>/scim/v2`). */
  target: 'sigma' | 'peer' | 'url';
  upstream?: string;
  sigma?: SigmaSimulatorOptions;
  /** Peer settings; `users` defaults to the named people plus `generated` others. */
  peer?: Partial<ScimPeerOptions>;
  /** Generated peer users on top of the four named ones. Default 60. */
  generated?: number;
  /** Put the fault proxy between the driver and the server. */
  proxy?: boolean;
  options?: Record<string, unknown>;
  retry?: Record<string, number>;
}

export const PEER_ROLES = ['Admin', 'Auditor', 'Viewer'];
export const SIGMA_TYPES = ['Admin', 'Creator', 'Explorer', 'Viewer'];

/** The four named people, then generated ones: roles spread, about 5% deactivated. */
export function peerPopulation(generated: number, seed = 11): SeedUser[] {
  const rng = createRng(seed);
  const named: SeedUser[] = [
    { userName: FIXED_PEOPLE.admin.email, givenName: 'Ida', familyName: 'Admin', role: 'Admin', groups: [] },
    { userName: FIXED_PEOPLE.jdoe.email, givenName: 'John', familyName: 'Doe', role: 'Admin', groups: ['Finance'] },
    { userName: FIXED_PEOPLE.asmith.email, givenName: 'Alice', familyName: 'Smith', role: 'Viewer', groups: [] },
    { userName: FIXED_PEOPLE.samlsam.email, givenName: 'Sam', familyName: 'Saml', role: 'Auditor', groups: [] },
  ];
  const others = generatePeople(generated, seed).map((p): SeedUser => ({ userName: p.email, givenName: p.firstName, familyName: p.lastName, role: pick(rng, PEER_ROLES), active: rng() > 0.05 }));
  return [...named, ...others];
}

export async function startScimEnv(options: ScimEnvOptions): Promise<ScimEnv> {
  const dir = scanTempDir('seatctl-scim-');
  let sigma: SigmaSimulator | undefined;
  let peer: ScimPeer | undefined;
  let token: string;
  let upstream: string;
  if (options.target === 'sigma') {
    sigma = await startSigmaSimulator(options.sigma);
    token = sigma.credentials.scimToken;
    upstream = sigma.url;
  } else if (options.target === 'url') {
    token = 'scim-test-server-token-4Jd';
    upstream = options.upstream!;
  } else {
    token = options.peer?.token ?? 'scim-peer-token-Qv8w2';
    peer = await startScimPeer({ groups: ['Finance', 'Data'], users: peerPopulation(options.generated ?? 60), ...options.peer, token });
    upstream = peer.origin;
  }
  registerSecret(token, 'SCIM bearer token');
  const proxy = options.proxy ? await startFaultProxy(upstream, { profile: { retryAfterSeconds: null } }) : undefined;
  await writeFile(path.join(dir, 'scim-token'), token, { mode: 0o600 });
  const driverOptions = options.target === 'sigma' ? { roles: SIGMA_TYPES, roleAttribute: 'userType' } : { roles: PEER_ROLES };
  const raw = {
    dataDir: 'data',
    retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 50, throttleDelayMs: 20, maxThrottleWaits: 10, ...options.retry },
    apps: {
      scim: { driver: 'scim2', baseUrl: `${proxy?.url ?? upstream}/scim/v2`, credentials: { token: 'file:scim-token' }, options: { ...driverOptions, ...options.options } },
    },
  };
  const config = parseConfig(raw, builtInDrivers(), { source: path.join(dir, 'seatctl.config.json'), baseDir: dir });
  const redactor = createRedactor();
  const logs: string[] = [];
  const log = createLogger({ redactor, level: 'debug', destination: { write: (line: string) => void logs.push(line) } });
  const runtime = createRuntime({ config, log, redactor, scheduler: schedulerForApps(config.apps, log) });

  const users = async (): Promise<ScimTruthUser[]> => {
    if (sigma) {
      const state = (await (await fetch(sigma.stateUrl)).json()) as { users: { memberId: string; email: string; isArchived: boolean; memberType: string }[] };
      return state.users.map((u) => ({ id: u.memberId, email: u.email, active: !u.isArchived, role: u.memberType }));
    }
    if (!peer) return [];
    const state = await peer.state();
    return state.users.map((u) => ({ id: u.id, email: u.emails?.[0]?.value ?? u.userName, active: u.active, role: u.roles?.find((r) => r.primary)?.value ?? u.roles?.[0]?.value ?? null }));
  };
  return {
    runtime,
    config,
    ...(sigma ? { sigma } : {}),
    ...(peer ? { peer } : {}),
    ...(proxy ? { proxy } : {}),
    logs,
    dir,
    token,
    users,
    async mutations() {
      if (sigma) return ((await (await fetch(sigma.stateUrl)).json()) as { mutations: { method: string; path: string; userId: string }[] }).mutations;
      return peer ? (await peer.state()).mutations : [];
    },
    run: (request) => runToEnd(runtime, actionRequestSchema.parse(request), { approvals: NO_APPROVAL_GATE }),
    async close() {
      await runtime.close();
      await Promise.allSettled([sigma?.close(), peer?.close(), proxy?.close()]);
      saveCapturedLogs(dir, logs);
    },
  };
}
