import { Agent, request } from 'undici';
import type { JobMix, Submission } from './job-mix.js';

/**
 * Talks to the service over real HTTP like an HR/IdP integration would: every job
 * carries an idempotency key, and a submit that fails in transit is sent again with
 * the same key (that is what the key is for).
 */
export interface ServiceClient {
  submit(s: Submission): Promise<void>;
  status(jobId: string): Promise<string | null>;
  /** Jobs in each non-terminal status (capped at 500 each: enough to tell "none"). */
  pending(): Promise<{ planned: number; running: number; awaiting_approval: number }>;
  close(): Promise<void>;
}

export function createServiceClient(url: string, token: string): ServiceClient {
  const dispatcher = new Agent({ connections: 8, keepAliveTimeout: 10_000 });
  const auth = { authorization: `Bearer ${token}` };

  const call = async (method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await request(`${url}${path}`, {
      method,
      dispatcher,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: res.statusCode, json, text };
  };

  return {
    async submit(s) {
      const body = s.keyIn === 'body' ? { ...s.body, idempotencyKey: s.key } : s.body;
      const headers: Record<string, string> = s.keyIn === 'header' ? { 'idempotency-key': s.key } : {};
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await call('POST', '/v1/jobs', body, headers);
          s.status = res.status;
          if (res.status === 202 || res.status === 200) {
            s.jobId = res.json?.job?.id;
            return;
          }
          s.error = `HTTP ${res.status}: ${res.text.slice(0, 200)}`;
          if (res.status < 500 || attempt >= 3) return;
        } catch (err) {
          s.error = (err as Error).message;
          if (attempt >= 3) return;
        }
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    },
    async status(jobId) {
      const res = await call('GET', `/v1/jobs/${jobId}`);
      return res.status === 200 ? (res.json?.job?.status ?? null) : null;
    },
    async pending() {
      const count = async (status: string) => ((await call('GET', `/v1/jobs?status=${status}&limit=500`)).json?.jobs?.length as number | undefined) ?? 0;
      const [planned, running, awaiting_approval] = await Promise.all([count('planned'), count('running'), count('awaiting_approval')]);
      return { planned, running, awaiting_approval };
    },
    close: () => dispatcher.close(),
  };
}

/**
 * The next submission: usually a fresh job; sometimes a duplicate (same body, same
 * key: must return the first job), sometimes a repeat of a finished request with a new
 * key (a second job, whose tasks must all be no-ops).
 */
export async function nextSubmission(n: number, mix: JobMix, previous: Submission[], client: ServiceClient): Promise<Submission> {
  const kind = mix.pickKind();
  const created = previous.filter((s) => s.jobId && s.kind !== 'duplicate');
  if (kind === 'duplicate' && created.length) {
    const original = created[Math.floor(mix.rng() * created.length)]!;
    return { n, kind: 'duplicate', body: original.body, key: original.key, keyIn: original.keyIn, of: original.n };
  }
  if (kind === 'repeat') {
    // Old enough to have finished; checked over HTTP, as a client would.
    const candidates = created.filter((s) => s.kind !== 'review' && s.kind !== 'repeat' && s.n < n - 10);
    for (let i = 0; i < 5 && candidates.length; i++) {
      const original = candidates[Math.floor(mix.rng() * candidates.length)]!;
      const status = await client.status(original.jobId!);
      if (status === 'succeeded' || status === 'failed') {
        return { n, kind: 'repeat', body: original.body, key: `${original.key}-again-${n}`, keyIn: original.keyIn, of: original.n };
      }
    }
  }
  return mix.fresh(n, kind === 'duplicate' || kind === 'repeat' ? undefined : kind);
}
