import { createRng, pick, type Rng } from '../../fixtures/common/rng.js';
import type { FixtureApp } from '../../fixtures/launch.js';
import type { SimState } from './sim-state.js';

/**
 * The soak's traffic. Every fresh job takes (person, app) slots nobody else touches,
 * so the simulators' final state and mutation logs can be predicted from the store
 * alone; the same people come back only as deliberate repeats (which must be no-ops)
 * and idempotent duplicates (which must return the first job).
 */
export type FreshKind = 'api-offboard' | 'api-set-role' | 'console-offboard' | 'console-set-role' | 'all-offboard' | 'review';
export type SubmissionKind = FreshKind | 'duplicate' | 'repeat';

export interface Submission {
  n: number;
  kind: SubmissionKind;
  body: Record<string, unknown>;
  key: string;
  /** Where the idempotency key travels (both forms are part of the API). */
  keyIn: 'header' | 'body';
  /** duplicate / repeat: the submission this one re-sends. */
  of?: number;
  /** Filled in by the submitter. */
  jobId?: string;
  status?: number;
  error?: string;
}

/** Shares of the traffic (the rest of 1 is duplicates and repeats, chosen by the runner). */
export const MIX: readonly [FreshKind, number][] = [
  ['api-offboard', 0.4],
  ['api-set-role', 0.31],
  ['console-offboard', 0.08],
  ['console-set-role', 0.065],
  ['all-offboard', 0.015],
  ['review', 0.01],
];
export const DUPLICATE_SHARE = 0.06;
export const REPEAT_SHARE = 0.07;

const GENERATED = /\.\d{5}@example\.com$/;

export interface JobMix {
  rng: Rng;
  /** A new job on untouched slots; falls back to another kind when one runs out of people. */
  fresh(n: number, kind?: FreshKind): Submission;
  pickKind(): FreshKind | 'duplicate' | 'repeat';
  /** (person, app) slots handed out, per app. */
  used: Record<FixtureApp, Set<string>>;
}

export function createJobMix(seed: number, initial: Record<FixtureApp, SimState>): JobMix {
  const rng = createRng(seed);
  // The consoles may have fewer people than the APIs (same seed: the same first ones).
  const people = [...initial.bigid.byEmail.keys()].filter((e) => GENERATED.test(e));
  const used: Record<FixtureApp, Set<string>> = { bigid: new Set(), sigma: new Set(), stitch: new Set(), billcom: new Set() };

  const rolesOf = (app: FixtureApp, exclude: string[]) => [...new Set([...initial[app].byEmail.values()].map((a) => a.role).filter((r): r is string => !!r && !exclude.includes(r)))].sort();
  const roles: Record<FixtureApp, string[]> = {
    bigid: rolesOf('bigid', ['Admin']),
    sigma: rolesOf('sigma', ['Admin']),
    stitch: ['Administrator'],
    billcom: rolesOf('billcom', ['Administrator']),
  };

  /** A person whose slots in `apps` are free and who passes `ok` in each. */
  const take = (apps: FixtureApp[], ok: (app: FixtureApp, email: string) => boolean): string | null => {
    const fits = (e: string) => apps.every((a) => initial[a].byEmail.has(e) && !used[a].has(e) && ok(a, e));
    let found: string | null = null;
    for (let i = 0; i < 40 && !found; i++) {
      const e = pick(rng, people);
      if (fits(e)) found = e;
    }
    found ??= people.find(fits) ?? null;
    if (found) for (const a of apps) used[a].add(found);
    return found;
  };

  const any = () => true;
  /** set-role: only accounts with access whose role is one the soak may change. */
  const roleTarget = (app: FixtureApp, email: string) => {
    const a = initial[app].byEmail.get(email);
    if (!a?.active) return false;
    if (app === 'stitch') return a.role === 'General User';
    return a.role !== null && roles[app].includes(a.role);
  };
  const newRole = (app: FixtureApp, email: string): string => {
    const current = initial[app].byEmail.get(email)?.role;
    return pick(rng, roles[app].filter((r) => r !== current));
  };

  const build = (kind: FreshKind): Record<string, unknown> | null => {
    switch (kind) {
      case 'api-offboard': {
        const apps = pick<FixtureApp[]>(rng, [['bigid'], ['sigma'], ['bigid', 'sigma']]);
        const email = take(apps, any);
        return email ? { kind: 'offboard', email, apps } : null;
      }
      case 'api-set-role': {
        const apps = pick<FixtureApp[]>(rng, [['bigid'], ['sigma'], ['bigid', 'sigma']]);
        const email = take(apps, roleTarget);
        return email ? { kind: 'set-role', email, roles: Object.fromEntries(apps.map((a) => [a, newRole(a, email)])) } : null;
      }
      case 'console-offboard': {
        const apps = pick<FixtureApp[]>(rng, [['stitch'], ['billcom']]);
        const email = take(apps, any);
        return email ? { kind: 'offboard', email, apps } : null;
      }
      case 'console-set-role': {
        const apps = pick<FixtureApp[]>(rng, [['stitch'], ['billcom']]);
        const email = take(apps, roleTarget);
        return email ? { kind: 'set-role', email, roles: Object.fromEntries(apps.map((a) => [a, newRole(a, email)])) } : null;
      }
      case 'all-offboard': {
        const email = take(['bigid', 'sigma', 'stitch', 'billcom'], any);
        return email ? { kind: 'offboard', email, apps: 'all' } : null;
      }
      case 'review':
        return { kind: 'review', apps: ['bigid', 'sigma'] };
    }
  };

  const pickWeighted = (): FreshKind => {
    const total = MIX.reduce((s, [, w]) => s + w, 0);
    let r = rng() * total;
    for (const [kind, w] of MIX) if ((r -= w) < 0) return kind;
    return 'api-offboard';
  };

  return {
    rng,
    used,
    pickKind() {
      const r = rng();
      if (r < DUPLICATE_SHARE) return 'duplicate';
      if (r < DUPLICATE_SHARE + REPEAT_SHARE) return 'repeat';
      return pickWeighted();
    },
    fresh(n, wanted) {
      let kind = wanted ?? pickWeighted();
      for (let tries = 0; tries < 20; tries++) {
        const body = build(kind);
        if (body) return { n, kind, body, key: `soak-${seed}-${n}`, keyIn: rng() < 0.5 ? 'header' : 'body' };
        kind = pickWeighted();
      }
      // Out of people: a review reads only and is always possible.
      return { n, kind: 'review', body: { kind: 'review', apps: ['bigid', 'sigma'] }, key: `soak-${seed}-${n}`, keyIn: 'header' };
    },
  };
}
