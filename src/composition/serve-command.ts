import type { Command } from 'commander';
import { createSecretResolver } from '../config/secret-ref.js';
import { SeatctlError } from '../errors/index.js';
import { EXIT } from '../cli/exit-codes.js';
import { isLoopback } from '../service/auth.js';
import { createService, type ServiceDeps } from '../service/service.js';
import { openBullmqNode, sharedThrottleHook } from './bullmq-node.js';
import { createAuthenticator } from '../auth/authenticator.js';
import { resolveTokenPrincipals } from '../auth/service-principals.js';
import { createIdpJwtVerifier, createOidcBearerScheme } from '../auth/oidc-bearer.js';
import { registerOidcLogin } from '../auth/oidc-login.js';
import { createConsoleSessions } from '../web/console-sessions.js';
import { openJobStore } from '../store/index.js';
import type { CliIO } from '../cli/io.js';
import { openContext, type GlobalFlags } from '../cli/context.js';
import { parseCount } from '../cli/commands/fixtures-up.js';

type Runner = (fn: () => Promise<number>) => Promise<void>;

/**
 * `seatctl serve`: the job service. Callers are the configured principals
 * (`service.principals`, each with roles and a token) and the single admin token
 * (`service.token` or --token-ref) and, with `service.oidc`, bearer JWTs from the IdP;
 * without any of these it only listens on loopback.
 */
export function registerServe(program: Command, io: CliIO, run: Runner, globals: () => GlobalFlags): void {
  program
    .command('serve')
    .description('run the HTTP job service (resumes unfinished jobs on start)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', '8080')
    .option('--token-ref <ref>', 'bearer token as env:NAME or file:/path (overrides service.token)')
    .option('--shutdown-timeout <seconds>', 'on SIGTERM/SIGINT, how long running jobs may take to finish (0-3600)', '30')
    .option('--no-work', 'with queue.kind "bullmq": only serve (queue jobs for the workers), take no steps or job runs here')
    .action((opts: { host: string; port: string; tokenRef?: string; shutdownTimeout: string; work: boolean }) =>
      run(async () => {
        const port = parseCount('--port', opts.port, 65_535) ?? 8080;
        const shutdownSeconds = parseCount('--shutdown-timeout', opts.shutdownTimeout, 3600) ?? 30;
        // serve drains running tasks on SIGTERM, so Playwright must not close the browser first.
        const hook = sharedThrottleHook();
        const ctx = await openContext(io, globals(), { signals: 'caller', wrapScheduler: (s, config) => (config.queue.kind === 'bullmq' ? hook.wrap(s) : s), beforeRequest: hook.beforeRequest });
        const ref = opts.tokenRef ?? ctx.config.service.token;
        const resolver = createSecretResolver({ redactor: ctx.redactor, baseDir: ctx.config.baseDir, env: io.env, warn: (message) => ctx.log.warn(message) });
        let tokens;
        try {
          tokens = resolveTokenPrincipals(resolver, ctx.config.service.principals, ref ? { ref, field: opts.tokenRef ? '--token-ref' : 'service.token' } : undefined);
        } catch (err) {
          await ctx.runtime.close();
          throw err;
        }
        const oidc = ctx.config.service.oidc;
        // One JWKS cache for the IdP's bearer JWTs and its console sign-in ID tokens.
        const verifier = oidc ? createIdpJwtVerifier(oidc) : undefined;
        // OIDC alone is enough to listen beyond loopback: every caller then needs a JWT from the IdP.
        const auth = tokens.size > 0 || oidc ? createAuthenticator(tokens, oidc ? [createOidcBearerScheme(oidc, { log: ctx.log, ...(verifier ? { verifier } : {}) })] : []) : null;
        if (!auth && !isLoopback(opts.host)) {
          await ctx.runtime.close();
          throw new SeatctlError('USAGE', `--host ${opts.host}: refusing to listen beyond loopback without a bearer token (set service.token, service.principals, service.oidc or --token-ref)`);
        }
        // Console sessions: token sign-in and OIDC sign-in (when a client is configured) both end here.
        const sessions = createConsoleSessions();
        const sso = oidc?.clientId ? { ...oidc, clientId: oidc.clientId } : undefined;
        let clientSecret: string | undefined;
        try {
          clientSecret = sso?.clientSecret ? resolver.resolve(sso.clientSecret, 'service.oidc.clientSecret') : undefined;
        } catch (err) {
          await ctx.runtime.close();
          throw err;
        }
        let store;
        try {
          store = await openJobStore(ctx.config, { secrets: resolver });
        } catch (err) {
          await ctx.runtime.close();
          throw err;
        }
        const opened = store;
        let shared: Pick<ServiceDeps, 'dispatcher' | 'runs'> = {};
        if (ctx.config.queue.kind === 'bullmq') {
          const node = await openBullmqNode({ config: ctx.config, runtime: ctx.runtime, store: opened, log: ctx.log, redactor: ctx.redactor, env: io.env, throttle: hook.throttle }).catch(async (err: unknown) => {
            await opened.close();
            await ctx.runtime.close();
            throw err;
          });
          shared = {
            dispatcher: node.dispatcher,
            runs: {
              launch: (jobId) => node.launch(jobId),
              start: async (engine) => {
                if (opts.work) node.work((jobId) => engine.process(jobId));
              },
              stop: () => node.stop(),
            },
          };
        }
        const service = createService({ config: ctx.config, runtime: ctx.runtime, store, approvals: ctx.config.approvals, log: ctx.log, auth, console: { sessions, ...(sso ? { ssoLoginPath: '/auth/oidc/login' } : {}) }, ...shared });
        if (sso) registerOidcLogin(service.app, { oidc: sso, clientSecret, sessions, log: ctx.log, ...(verifier ? { verifier } : {}) });
        await service.start();
        const address = await service.app.listen({ host: opts.host, port });
        io.stdout(`${JSON.stringify({ listening: address, auth: auth ? `bearer (${tokens.size} principal(s)${oidc ? `, OIDC ${oidc.issuer}` : ''})` : 'none (loopback only)' })}\n`);
        let first!: (signal: string) => void;
        const signal = await new Promise<string>((resolve) => {
          first = resolve;
          process.once('SIGINT', resolve).once('SIGTERM', resolve);
        });
        // A second signal does not wait: every step is already in the store, as after a crash.
        const now = (again: string) => {
          ctx.log.warn({ signal: again }, 'second signal: stopping now; unfinished jobs resume at the next start');
          process.exit(EXIT.TASK_FAILED);
        };
        process.off('SIGINT', first).off('SIGTERM', first).once('SIGINT', now).once('SIGTERM', now);
        ctx.log.warn({ signal, timeoutSeconds: shutdownSeconds }, 'shutting down: no new jobs; waiting for running ones');
        const { drained, cutShort } = await service.stop(shutdownSeconds * 1000);
        process.off('SIGINT', now).off('SIGTERM', now);
        if (drained) {
          ctx.log.warn('service stopped gracefully');
          return EXIT.OK;
        }
        ctx.log.warn({ jobs: cutShort }, `shutdown timeout (${shutdownSeconds} s): ${cutShort.length} job(s) cut short; their tasks are checkpointed and resume at the next start`);
        // Their requests are still in flight and nothing they do now can be recorded:
        // end here instead of working on unrecorded (a retry could change an account
        // that a restarted service is about to read back).
        process.exit(EXIT.TASK_FAILED);
      }),
    );
}
