import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A test app with two doors onto one user store, `/a/…` and `/b/…` (think an API and a
 * console of the same vendor): each door can be told to refuse an operation with a
 * status, to apply it first and refuse after (a console that saved, then showed an
 * error), or to never answer. Its mutation log is the ground truth the routing tests
 * check: which door changed what, and how many times.
 */
export type Door = 'a' | 'b';
export type DoorOp = 'find' | 'deactivate' | 'transfer';

export interface Fault {
  status?: number;
  /** Apply the change, then answer with `status` anyway. */
  landFirst?: boolean;
  /** Never answer (the client's timeout ends the call). */
  hang?: boolean;
}

interface Member {
  id: string;
  email: string;
  name: string;
  role: string;
  active: boolean;
}

export interface Mutation {
  door: Door;
  op: 'deactivate' | 'transfer';
  userId: string;
  to?: string;
  moved?: number;
}

export interface TwoDoorApp {
  url: string;
  members: Map<string, Member>;
  /** Document id → owner email. */
  documents: Map<string, string>;
  mutations: Mutation[];
  /** Requests each door received (method and path), for "never asked" checks. */
  hits: { door: Door; method: string; path: string }[];
  fail(door: Door, op: DoorOp, fault: Fault): void;
  close(): Promise<void>;
}

export async function startTwoDoorApp(): Promise<TwoDoorApp> {
  const members = new Map<string, Member>();
  for (const [id, email, name] of [
    ['u1', 'leaver@example.com', 'Lee Ver'],
    ['u2', 'manager@example.com', 'Mana Ger'],
    ['u3', 'other@example.com', 'Oth Er'],
  ] as const) {
    members.set(id, { id, email, name, role: 'member', active: true });
  }
  const documents = new Map<string, string>([
    ['d1', 'leaver@example.com'],
    ['d2', 'leaver@example.com'],
    ['d3', 'other@example.com'],
  ]);
  const mutations: Mutation[] = [];
  const hits: TwoDoorApp['hits'] = [];
  const faults = new Map<string, Fault>();

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const readBody = (req: http.IncomingMessage): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => resolve(text ? (JSON.parse(text) as Record<string, unknown>) : {}));
    });

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/(a|b)(\/.*)$/.exec(url.pathname);
    if (!m) return send(res, 404, { error: 'no such door' });
    const door = m[1] as Door;
    const path = m[2]!;
    hits.push({ door, method: req.method ?? '', path });
    const body = req.method === 'POST' ? await readBody(req) : {};
    const op: DoorOp | null = req.method === 'GET' && path === '/users' ? 'find' : path.endsWith('/deactivate') ? 'deactivate' : path.endsWith('/transfer') ? 'transfer' : null;
    const fault = op ? faults.get(`${door}:${op}`) : undefined;
    if (fault?.hang) return; // the client gives up
    if (fault?.status && !fault.landFirst) return send(res, fault.status, { error: `door ${door} refuses ${op} (${fault.status})` });

    if (op === 'find') {
      const email = url.searchParams.get('email')?.toLowerCase();
      return send(res, 200, { users: [...members.values()].filter((u) => !email || u.email === email) });
    }
    const user = /^\/users\/([^/]+)\//.exec(path)?.[1];
    const member = user ? members.get(user) : undefined;
    if (!member) return send(res, 404, { error: 'no such user' });
    if (op === 'deactivate') {
      if (member.active) {
        member.active = false;
        mutations.push({ door, op, userId: member.id });
      }
    } else if (op === 'transfer') {
      const to = String(body.to ?? '').toLowerCase();
      if (![...members.values()].some((u) => u.email === to && u.active)) return send(res, 422, { error: 'no active member with that email' });
      let moved = 0;
      for (const [doc, owner] of documents) {
        if (owner === member.email) {
          documents.set(doc, to);
          moved += 1;
        }
      }
      mutations.push({ door, op, userId: member.id, to, moved });
      if (!fault?.status) return send(res, 200, { moved });
    } else {
      return send(res, 404, { error: 'no such route' });
    }
    if (fault?.status) return send(res, fault.status, { error: `door ${door} refuses ${op} (${fault.status}) after saving` });
    return send(res, 200, member);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    members,
    documents,
    mutations,
    hits,
    fail: (door, op, fault) => void faults.set(`${door}:${op}`, fault),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
