import type { SandboxedJob } from 'bullmq';
import { configPathFrom, loadConfigFile } from '../config/load-config.js';
import { createConsoleRuntime, consoleOptionsFromConfig } from '../console/console-runtime.js';
import { createRuntime } from '../engine/runtime.js';
import { createTaskSteps } from '../engine/task-steps.js';
import { createLogger } from '../log/logger.js';
import { createRedactor } from '../log/redactor.js';
import { schedulerForApps } from '../queue/scheduler.js';
import { openJobStore } from '../store/index.js';
import { openArtifactStore } from '../audit/open-artifact-store.js';
import { createSecretResolver } from '../config/secret-ref.js';
import { runStep, type StepContext } from '../queue/bullmq/run-step.js';
import type { StepData } from '../queue/bullmq/names.js';
import { builtInDrivers } from './built-in-drivers.js';
import { openBullmqNode, sharedThrottleHook } from './bullmq-node.js';

/**
 * BullMQ's sandboxed processor for console apps' steps: a child process of the worker,
 * so Playwright's CPU work never delays the worker's lock renewals. BullMQ reuses
 * children, so each keeps its runtime (and browser pool) across steps; it builds it
 * from the worker's config file (SEATCTL_STEP_CONFIG) and opens the same store.
 */
let context: Promise<StepContext> | undefined;

/**
 * A worker killed with -9 cannot stop its children: this one would live on, idle, with
 * its Chromium (seen: two children and 24 Chromium processes left by a CI run's kill -9
 * tests). The IPC channel to the worker closes when it dies, so the child exits then;
 * Playwright's exit hook takes the browser down with it. A step it was running is
 * taken over like the dead worker's others (lease expiry, then the read-back rule).
 */
process.once('disconnect', () => process.exit(0));

async function open(): Promise<StepContext> {
  const redactor = createRedactor();
  const log = createLogger({ redactor, level: process.env.SEATCTL_LOG_LEVEL ?? 'warn', destination: { write: (line: string) => void process.stderr.write(line) } });
  const config = await loadConfigFile(configPathFrom(process.env.SEATCTL_STEP_CONFIG, process.env, process.cwd()), builtInDrivers());
  const hook = sharedThrottleHook();
  // The worker's artifact store (files on this machine, or the shared PostgreSQL one): the evidence of a console step goes where every API node reads it.
  const secrets = createSecretResolver({ redactor, baseDir: config.baseDir, env: process.env, warn: (message) => log.warn(message) });
  const artifacts = openArtifactStore(config, (ref, field) => secrets.resolve(ref, field), { onError: (message) => log.warn(message) });
  const runtime = createRuntime({ config, log, redactor, artifacts, scheduler: hook.wrap(schedulerForApps(config.apps, log)), beforeRequest: hook.beforeRequest, console: createConsoleRuntime({ ...consoleOptionsFromConfig(config, log), handleSignals: false }) });
  const store = await openJobStore(config, { env: process.env });
  // Only for the shared throttle: this child takes no work from the queues itself.
  const node = await openBullmqNode({ config, runtime, store, log, redactor, env: process.env, throttle: hook.throttle });
  return { store, steps: createTaskSteps({ runtime, store }), owner: `${node.owner}:sandbox`, leaseMs: node.queues.settings.lockDurationMs, log };
}

export default async function processStep(job: SandboxedJob<StepData>): Promise<unknown> {
  context ??= open();
  return runStep(await context, job.data);
}
