import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * "Acme Admin": a tiny admin console seatctl has never seen, for the SDK tests. It is
 * deliberately not built on fixtures/: a driver author's app is a black box too.
 * Server-rendered pages on node:http, port 0: sign-in, a users table, a Deactivate
 * button per row that opens a confirm dialog, a "What's new" pop-up on the second visit
 * of each session, a switchable redesign, and ground truth at /__fixture/state with a mutation log.
 */
export interface AcmeUser {
  id: string;
  name: string;
  email: string;
  role: 'Admin' | 'Member' | 'Billing';
  status: 'Active' | 'Inactive';
  /** The first password an admin typed when adding the user (ground truth for trace scans). */
  initialPassword?: string;
}

export interface AcmeConsole {
  url: string;
  stateUrl: string;
  credentials: { email: string; password: string };
  state(): { users: AcmeUser[]; mutations: { method: string; path: string; userId: string }[]; logins: number };
  /** Renames the users table ("People"), as a console redesign would; false undoes it. */
  redesign(on: boolean): void;
  /** Shows this alert instead of the users table (a console that never draws it); null undoes it. */
  usersUnavailable(message: string | null): void;
  close(): Promise<void>;
}

const ROLES = ['Admin', 'Member', 'Billing'] as const;
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function seed(): AcmeUser[] {
  const people: [string, string, AcmeUser['role']][] = [
    ['Ada Admin', 'ada@example.com', 'Admin'],
    ['John Doe', 'jdoe@example.com', 'Member'],
    ['Amy Smith', 'asmith@example.com', 'Billing'],
    ['Kim Lee', 'klee@example.com', 'Member'],
  ];
  return people.map(([name, email, role], i) => ({ id: `u${100 + i}`, name, email, role, status: 'Active' }));
}

const page = (title: string, body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} · Acme Admin</title>
<style>body{font-family:sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem}</style></head>
<body>${body}</body></html>`;

export async function startAcmeConsole(options: { whatsNew?: boolean } = {}): Promise<AcmeConsole> {
  const users = seed();
  const mutations: { method: string; path: string; userId: string }[] = [];
  const credentials = { email: 'it-bot@example.com', password: `pw-${randomBytes(6).toString('hex')}` };
  const sessions = new Map<string, { usersViews: number }>();
  let logins = 0;
  // A redesign renames the users table: drivers' locators stop matching (doctor's job).
  let tableName = 'Users';
  let unavailable: string | null = null;

  const loginPage = (error = '') =>
    page(
      'Sign in',
      `<main><h1>Sign in to Acme</h1>${error ? `<p role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/login"><label>Email <input name="email" type="email"></label>
<label>Password <input name="password" type="password"></label><button type="submit">Sign in</button></form></main>`,
    );

  const usersPage = (session: { usersViews: number }) => {
    const rows = users
      .map(
        (u) => `<tr><td>${esc(u.name)}</td><td>${esc(u.email)}</td><td>${u.role}</td><td>${u.status}</td><td>${
          u.status === 'Active' ? `<button type="button" aria-label="Deactivate ${esc(u.email)}" data-id="${u.id}" data-email="${esc(u.email)}" class="deactivate">Deactivate</button>` : ''
        }</td></tr>`,
      )
      .join('');
    // On the second view of a session, so it lands in a task's page, not the sign-in.
    session.usersViews += 1;
    const whatsNew = options.whatsNew && session.usersViews === 2;
    if (unavailable) return page('Users', `<nav aria-label="Admin"><a href="/admin/users">Users</a></nav><main><h1>Users</h1><p role="alert">${esc(unavailable)}</p></main>`);
    return page(
      'Users',
      `<nav aria-label="Admin"><a href="/admin/users">Users</a></nav><main><h1>Users</h1><p><a href="/admin/users/new">Add user</a></p>
<label>Filter by role <select>${ROLES.map((r) => `<option>${r}</option>`).join('')}</select></label>
<table aria-label="${tableName}"><thead><tr><th>Name</th><th>Email</th><th>Role</th><th>Status</th><th>Actions</th></tr></thead><tbody>${rows}</tbody></table>
<dialog id="confirm" aria-labelledby="confirm-title"><h2 id="confirm-title">Deactivate user?</h2><p id="confirm-who"></p>
<form method="post" id="confirm-form"><button type="submit">Deactivate</button><button type="button" id="cancel">Cancel</button></form></dialog>
${whatsNew ? `<dialog id="news" aria-label="What's new in Acme"><p>Dark mode is here.</p><button type="button" id="news-ok">Dismiss</button></dialog>` : ''}
</main><script>
for (const b of document.querySelectorAll('button.deactivate')) b.addEventListener('click', () => {
  document.getElementById('confirm-form').action = '/admin/users/' + b.dataset.id + '/deactivate';
  document.getElementById('confirm-who').textContent = b.dataset.email + ' will lose access.';
  document.getElementById('confirm').showModal();
});
document.getElementById('cancel').addEventListener('click', () => document.getElementById('confirm').close());
const news = document.getElementById('news');
if (news) { setTimeout(() => news.showModal(), 150); document.getElementById('news-ok').addEventListener('click', () => news.close()); }
</script>`,
    );
  };

  const newUserPage = (error = '') =>
    page(
      'Add user',
      `<nav aria-label="Admin"><a href="/admin/users">Users</a></nav><main><h1>Add user</h1>${error ? `<p role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/admin/users"><label>Name <input name="name"></label><label>Email <input name="email" type="email"></label>
<label>Role <select name="role">${ROLES.map((r) => `<option>${r}</option>`).join('')}</select></label>
<label>First password <input name="password" type="password" autocomplete="new-password"></label>
<button type="submit">Save user</button> <a href="/admin/users">Cancel</a></form></main>`,
    );

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
    res.end(body);
  };
  const redirect = (res: ServerResponse, to: string, headers: Record<string, string> = {}) => {
    res.writeHead(303, { location: to, ...headers });
    res.end();
  };
  const readForm = async (req: IncomingMessage) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    return new URLSearchParams(text);
  };
  const sessionOf = (req: IncomingMessage) => {
    const id = /acme_session=([a-f0-9]+)/.exec(req.headers.cookie ?? '')?.[1];
    return id ? sessions.get(id) : undefined;
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://acme.local');
    if (url.pathname === '/__fixture/state') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ users, mutations, logins }));
      return;
    }
    if (url.pathname === '/login' && req.method === 'GET') return send(res, 200, loginPage());
    if (url.pathname === '/login' && req.method === 'POST') {
      const form = await readForm(req);
      if (form.get('email') !== credentials.email || form.get('password') !== credentials.password) return send(res, 401, loginPage('Invalid email or password'));
      const id = randomBytes(12).toString('hex');
      sessions.set(id, { usersViews: 0 });
      logins += 1;
      return redirect(res, '/admin/users', { 'set-cookie': `acme_session=${id}; Path=/; HttpOnly; SameSite=Lax` });
    }
    const session = sessionOf(req);
    if (!session) return redirect(res, '/login');
    if (url.pathname === '/admin/users' && req.method === 'GET') return send(res, 200, usersPage(session));
    // Adding a user: the admin types a first password (the person changes it at first sign-in).
    if (url.pathname === '/admin/users/new' && req.method === 'GET') return send(res, 200, newUserPage());
    if (url.pathname === '/admin/users' && req.method === 'POST') {
      const form = await readForm(req);
      const email = (form.get('email') ?? '').trim().toLowerCase();
      const role = form.get('role') as AcmeUser['role'];
      const password = form.get('password') ?? '';
      if (!email || !ROLES.includes(role) || password.length < 12 || users.some((u) => u.email === email)) return send(res, 400, newUserPage('Check the name, email, role and a password of 12 characters or more'));
      const user: AcmeUser = { id: `u${100 + users.length}`, name: (form.get('name') ?? '').trim(), email, role, status: 'Active', initialPassword: password };
      users.push(user);
      mutations.push({ method: 'POST', path: '/admin/users', userId: user.id });
      return redirect(res, '/admin/users');
    }
    const action = /^\/admin\/users\/([^/]+)\/deactivate$/.exec(url.pathname);
    if (action && req.method === 'POST') {
      const user = users.find((u) => u.id === action[1]);
      if (!user) return send(res, 404, page('Not found', '<p role="alert">No such user</p>'));
      if (user.status === 'Active') {
        user.status = 'Inactive';
        mutations.push({ method: 'POST', path: url.pathname, userId: user.id });
      }
      return redirect(res, '/admin/users');
    }
    send(res, 404, page('Not found', '<p>Not found</p>'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    stateUrl: `${url}/__fixture/state`,
    credentials,
    state: () => ({ users: structuredClone(users), mutations: [...mutations], logins }),
    redesign: (on) => void (tableName = on ? 'People' : 'Users'),
    usersUnavailable: (message) => void (unavailable = message),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
