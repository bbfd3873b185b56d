import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * "Beta CRM": a small REST user API for the API-SDK tests, on node:http, port 0.
 * Sign-in is POST /auth (email + password → short-lived token) or a static API key;
 * users are paged by offset; PATCH {active:false} deactivates. `lie` makes PATCH
 * answer 200 without changing anything (the read-back must catch it).
 */
export interface BetaUser {
  id: string;
  email: string;
  name: string;
  role: string;
  active: boolean;
}

export interface BetaApi {
  url: string;
  credentials: { email: string; password: string; apiKey: string };
  state(): { users: BetaUser[]; mutations: { method: string; path: string; userId: string }[]; logins: number };
  /** Every issued token stops working: the next call gets a 401. */
  expireTokens(): void;
  lie(on: boolean): void;
  close(): Promise<void>;
}

export async function startBetaApi(): Promise<BetaApi> {
  const users: BetaUser[] = ['ada:Admin', 'jdoe:Member', 'asmith:Member', 'klee:Admin', 'mo:Member'].map((s, i) => {
    const [who, role] = s.split(':') as [string, string];
    return { id: `b-${i + 1}`, email: `${who}@example.com`, name: who, role, active: true };
  });
  const credentials = { email: 'api-bot@example.com', password: `pw-${randomBytes(6).toString('hex')}`, apiKey: `key-${randomBytes(8).toString('hex')}` };
  const tokens = new Set<string>();
  const mutations: { method: string; path: string; userId: string }[] = [];
  let logins = 0;
  let lying = false;

  const body = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    let text = '';
    for await (const chunk of req) text += chunk;
    try {
      return JSON.parse(text || '{}') as Record<string, unknown>;
    } catch {
      return {};
    }
  };

  const server = createServer(async (req, res) => {
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const url = new URL(req.url ?? '/', 'http://beta.local');
    if (url.pathname === '/api/auth' && req.method === 'POST') {
      const b = await body(req);
      if (b.email !== credentials.email || b.password !== credentials.password) return json(401, { error: 'bad credentials' });
      const token = randomBytes(12).toString('hex');
      tokens.add(token);
      logins += 1;
      return json(200, { token, expires_in: 3600 });
    }
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!auth || (!tokens.has(auth) && auth !== credentials.apiKey)) return json(401, { error: 'unauthorized' });
    if (url.pathname === '/api/roles') return json(200, ['Admin', 'Member']);
    if (url.pathname === '/api/users' && req.method === 'GET') {
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 100);
      return json(200, { users: users.slice(offset, offset + limit) });
    }
    const one = /^\/api\/users\/([^/]+)$/.exec(url.pathname);
    const user = one ? users.find((u) => u.id === decodeURIComponent(one[1]!)) : undefined;
    if (one && !user) return json(404, { error: 'no such user' });
    if (user && req.method === 'GET') return json(200, user);
    if (user && req.method === 'PATCH') {
      const b = await body(req);
      if (!lying) {
        if (typeof b.active === 'boolean') user.active = b.active;
        if (typeof b.role === 'string') user.role = b.role;
        mutations.push({ method: 'PATCH', path: url.pathname, userId: user.id });
      }
      return json(200, user);
    }
    json(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
    credentials,
    state: () => ({ users: structuredClone(users), mutations: [...mutations], logins }),
    expireTokens: () => tokens.clear(),
    lie: (on) => void (lying = on),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
