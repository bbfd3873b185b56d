/**
 * Pausing a task's trace around a secret step. A Playwright trace records every typed
 * value (the `fill` call's parameters), every input's value in each DOM snapshot, and
 * request bodies (a form POST): masking a screenshot does nothing for it. Playwright has
 * no "pause". Trace chunks (`tracing.stopChunk`/`startChunk`,
 * https://playwright.dev/docs/api/class-tracing#tracing-start-chunk) are not one either:
 * the network recorder runs from `tracing.start` to `tracing.stop`, so a form POST sent
 * between two chunks lands in the next chunk's network log, body included (measured:
 * test/sdk/acme-evidence.browser.spec.ts). So a pause stops the trace and saves it
 * (`tracing.stop({ path })`) and a resume starts a new one (`tracing.start`); nothing
 * is recorded in between. A task's trace is then one file per recorded stretch.
 *
 * A console driver reuses its signed-in page for the next task (page-pool.ts), and each
 * call still starts and stops its own trace on it rather than using chunks: on a browser
 * context, Playwright carries the network log and every response body over from chunk
 * to chunk since `tracing.start` (`preserveNetworkResources`, playwright-core 1.65), so
 * the second task's chunk held the first person's team data (measured:
 * test/console/page-reuse.browser.spec.ts). `tracing.stop` and `start` again is what
 * Playwright's own test runner does between tests on a reused context.
 */
export interface TraceControl {
  readonly recording: boolean;
  /** Stops the trace into a file; no-op when tracing is off or already paused. */
  pause(): Promise<void>;
  /** Starts a new trace, unless the trace was sealed. */
  resume(title: string): Promise<void>;
  /** Never resume again in this task (a secret may still be on the page). */
  seal(): void;
  /** At the end of the task: saves the running trace (nothing to do when paused). */
  finish(): Promise<void>;
}

export function createTraceControl(deps: { enabled: boolean; start(title: string): Promise<unknown>; save(): Promise<void> }): TraceControl {
  let state: 'off' | 'recording' | 'paused' = deps.enabled ? 'recording' : 'off';
  let sealed = false;
  return {
    get recording() {
      return state === 'recording';
    },
    async pause() {
      if (state !== 'recording') return;
      state = 'paused';
      await deps.save();
    },
    async resume(title) {
      if (state !== 'paused' || sealed) return;
      await deps.start(title);
      state = 'recording';
    },
    seal() {
      sealed = true;
    },
    async finish() {
      if (state === 'recording') await deps.save();
      state = 'off';
    },
  };
}

/** A control for contexts without tracing (login, listings). */
export const noTrace: TraceControl = {
  recording: false,
  pause: async () => undefined,
  resume: async () => undefined,
  seal: () => undefined,
  finish: async () => undefined,
};
