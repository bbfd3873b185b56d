import { z } from 'zod';
import { defineDriver, type DriverDefinition } from '../../../src/drivers/definition.js';
import type { ChangeResult, Driver, EvidenceSink } from '../../../src/drivers/driver.js';
import { checkReadBack } from '../../../src/drivers/read-back.js';
import { SeatctlError } from '../../../src/errors/index.js';
import type { AppUser } from '../../../src/model/index.js';

/**
 * A driver for one door of the two-door test app (two-door-app.ts), loaded by path
 * from a config like any driver module. `transfer: true` makes it the one that can
 * hand documents over. It maps 501 to UNSUPPORTED as the SCIM driver does, and leaves
 * an HTML snapshot file after a change, so one task's record holds request records and
 * files from both doors.
 */
const options = z
  .object({
    door: z.enum(['a', 'b']),
    transfer: z.boolean().default(false),
  })
  .strict();

interface Raw {
  id: string;
  email: string;
  name: string;
  role: string;
  active: boolean;
}

export function doorDriver(name: string): DriverDefinition<Record<string, never>, z.infer<typeof options>> {
  return defineDriver({
    name,
    kind: 'api',
    credentials: z.object({}).strict() as z.ZodType<Record<string, never>>,
    options,
    secretFields: [],
    defaultConcurrency: 2,
    create(deps): Driver {
      const { app, http } = deps;
      const door = deps.options.door;
      const toUser = (u: Raw): AppUser => ({ app, id: u.id, email: u.email, name: u.name, role: u.role, status: u.active ? 'active' : 'inactive', origin: null, lastSeen: null, raw: u });
      const call = async <T>(evidence: EvidenceSink, req: Parameters<typeof http.send>[0]) => {
        try {
          return await http.send<T>(req, evidence);
        } catch (err) {
          if (err instanceof SeatctlError && err.details.status === 501) throw new SeatctlError('UNSUPPORTED', `${app}: door ${door} does not implement ${req.method} ${req.path}`, { details: { status: 501 } });
          throw err;
        }
      };
      const find = async (email: string, evidence: EvidenceSink) => {
        const res = await call<{ users: Raw[] }>(evidence, { method: 'GET', path: `/${door}/users`, query: { email } });
        return res.body.users[0] ? toUser(res.body.users[0]) : null;
      };
      const refuse = (what: string): never => {
        throw new SeatctlError('UNSUPPORTED', `${app}: ${name} cannot ${what}`);
      };
      const driver: Driver = {
        app,
        kind: 'api',
        capabilities: { delete: false, reactivate: false, provision: false, setRole: false, transferOwnership: deps.options.transfer },
        findUser: (email, ctx) => find(email, ctx.evidence),
        async *listUsers(ctx) {
          const res = await call<{ users: Raw[] }>(ctx.evidence, { method: 'GET', path: `/${door}/users` });
          yield res.body.users.map(toUser);
        },
        listRoles: async () => ['member'],
        validateProvision: async () => undefined,
        provision: async () => refuse('provision'),
        setRole: async () => refuse('set roles'),
        reactivate: async () => refuse('reactivate'),
        delete: async () => refuse('delete'),
        async deactivate(user, ctx): Promise<ChangeResult> {
          const req = { method: 'POST' as const, path: `/${door}/users/${user.id}/deactivate` };
          if (ctx.dryRun) {
            http.plan(req, ctx.evidence);
            return { changed: false, planned: true, after: { ...user, status: 'inactive' }, notes: [] };
          }
          await call(ctx.evidence, req);
          const after = await find(user.email, ctx.evidence);
          checkReadBack(app, 'deactivate', after, undefined);
          await ctx.evidence.saveFile(`${name}-after.html`, `<p>${user.email} deactivated through door ${door}</p>`, 'html', `door ${door} after deactivate`);
          return { changed: true, after, notes: [] };
        },
        close: async () => undefined,
      };
      if (deps.options.transfer) {
        driver.transferOwnership = async (user, toEmail, ctx) => {
          const req = { method: 'POST' as const, path: `/${door}/users/${user.id}/transfer`, json: { to: toEmail } };
          if (ctx.dryRun) {
            http.plan(req, ctx.evidence);
            return { changed: false, planned: true, after: user, notes: [] };
          }
          const res = await call<{ moved: number }>(ctx.evidence, req);
          await ctx.evidence.saveFile(`${name}-transfer.html`, `<p>${res.body.moved} document(s) moved to ${toEmail}</p>`, 'html', `door ${door} after hand-over`);
          return { changed: res.body.moved > 0, after: await find(user.email, ctx.evidence), notes: [`${res.body.moved} document(s) handed to ${toEmail}`] };
        };
      }
      return driver;
    },
  });
}
