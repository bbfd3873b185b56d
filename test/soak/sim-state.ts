import { request } from 'undici';
import type { Mutation } from '../../fixtures/common/mutation-log.js';
import type { FixtureApp } from '../../fixtures/launch.js';

/**
 * Each simulator's GET /__fixture/state in one shape: the accounts (keyed by lower-case
 * email, since console drivers know people by email and the APIs by id) and the
 * mutation log, which is the ground truth the soak checks the store against.
 */
export interface Account {
  id: string;
  email: string;
  role: string | null;
  /** Has access (active, or invited in Stitch). */
  active: boolean;
  /** BigID only: the full-replacement PUT is classified by comparing with this. */
  enabled?: boolean;
}

export interface SimState {
  app: FixtureApp;
  byEmail: Map<string, Account>;
  byId: Map<string, Account>;
  mutations: Mutation[];
}

type Raw = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function account(app: FixtureApp, u: Raw): Account {
  switch (app) {
    case 'bigid':
      return { id: str(u.id), email: str(u.email).toLowerCase(), role: str(u.role) || null, active: u.isEnabled === true, enabled: u.isEnabled === true };
    case 'sigma':
      return { id: str(u.memberId), email: str(u.email).toLowerCase(), role: str(u.memberType) || null, active: u.isArchived !== true };
    case 'stitch':
      return { id: str(u.id), email: str(u.email).toLowerCase(), role: str(u.role) || null, active: u.status === 'Active' || u.status === 'Invited' };
    case 'billcom':
      return { id: str(u.id), email: str(u.email).toLowerCase(), role: str(u.role) || null, active: u.status === 'Active' };
  }
}

export async function readSimState(app: FixtureApp, stateUrl: string): Promise<SimState> {
  const res = await request(stateUrl);
  if (res.statusCode !== 200) throw new Error(`${app}: GET ${stateUrl} answered ${res.statusCode}`);
  const raw = (await res.body.json()) as { users: Raw[]; mutations: Mutation[] };
  const byEmail = new Map<string, Account>();
  const byId = new Map<string, Account>();
  for (const u of raw.users) {
    const a = account(app, u);
    byEmail.set(a.email, a);
    byId.set(a.id, a);
  }
  return { app, byEmail, byId, mutations: raw.mutations };
}

/** The operations one logged mutation performed, in seatctl's vocabulary. */
/** `no-op write`: a logged write that changed nothing the soak asked for; `other`: teams and the like. */
export type MutationOp = 'deactivate' | 'reactivate' | 'set-role' | 'provision' | 'delete' | 'no-op write' | 'other';

/**
 * Classifies each mutation of one app. BigID's PUT replaces the whole record, so what
 * it changed is found by replaying the log over the starting state; the others say it
 * in the method, path or body.
 */
export function classifyMutations(app: FixtureApp, initial: SimState, mutations: Mutation[]): { m: Mutation; ops: MutationOp[] }[] {
  const bigid = new Map<string, { enabled: boolean; role: string | null }>();
  for (const a of initial.byId.values()) bigid.set(a.id, { enabled: a.enabled ?? a.active, role: a.role });
  return mutations.map((m) => {
    const body = (m.body ?? {}) as Raw;
    const ops: MutationOp[] = [];
    switch (app) {
      case 'bigid': {
        if (m.method === 'POST') ops.push('provision');
        else if (m.method === 'DELETE') ops.push('delete');
        else {
          const prev = bigid.get(m.userId) ?? { enabled: true, role: null };
          const enabled = body.isEnabled === undefined ? prev.enabled : body.isEnabled === true;
          const role = typeof body.role === 'string' ? body.role : prev.role;
          if (prev.enabled && !enabled) ops.push('deactivate');
          if (!prev.enabled && enabled) ops.push('reactivate');
          if (role !== prev.role) ops.push('set-role');
          bigid.set(m.userId, { enabled, role });
        }
        break;
      }
      case 'sigma':
        if (m.method === 'DELETE') ops.push('deactivate');
        else if (m.path.includes('/teams/')) ops.push('other');
        else if (m.method === 'POST') ops.push('provision');
        else {
          if (body.memberType !== undefined) ops.push('set-role');
          if (body.isArchived === false) ops.push('reactivate');
          if (body.isArchived === true) ops.push('deactivate');
        }
        break;
      case 'stitch':
        if (typeof body.email === 'string') ops.push('provision');
        else if (typeof body.role === 'string') ops.push('set-role');
        else ops.push('deactivate');
        break;
      case 'billcom':
        if (m.path.endsWith('/deactivate')) ops.push('deactivate');
        else if (m.path.endsWith('/reactivate')) ops.push('reactivate');
        else if (m.method === 'PATCH') ops.push('set-role');
        else if (m.method === 'POST') ops.push('provision');
        break;
    }
    if (!ops.length) ops.push('no-op write');
    return { m, ops };
  });
}
