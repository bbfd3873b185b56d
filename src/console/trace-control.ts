import type { Tracing } from 'playwright';

/**
 * Pausing a task's trace around a secret step. A Playwright trace records every typed
 * value (the `fill` call's parameters), every input's value in each DOM snapshot, and
 * request bodies (a form POST): masking a screenshot does nothing for it. Playwright has
 * no "pause", so a pause closes the current chunk into its own file
 * (`tracing.stopChunk({ path })`) and a resume opens a new one (`tracing.startChunk()`,
 * https://playwright.dev/docs/api/class-tracing#tracing-start-chunk); nothing is
 * recorded in between. A task's trace is then one file per recorded stretch.
 */
export interface TraceControl {
  readonly recording: boolean;
  /** Closes the current chunk into a file; no-op when tracing is off or already paused. */
  pause(): Promise<void>;
  /** Opens a new chunk, unless the trace was sealed. */
  resume(title: string): Promise<void>;
  /** Never resume again in this task (a secret may still be on the page). */
  seal(): void;
  /** At the end of the task: saves the open chunk, or ends a paused trace without a file. */
  finish(): Promise<void>;
}

export function createTraceControl(deps: { tracing: Tracing; enabled: boolean; save(chunk: boolean): Promise<void> }): TraceControl {
  let state: 'off' | 'recording' | 'paused' = deps.enabled ? 'recording' : 'off';
  let sealed = false;
  return {
    get recording() {
      return state === 'recording';
    },
    async pause() {
      if (state !== 'recording') return;
      state = 'paused';
      await deps.save(true);
    },
    async resume(title) {
      if (state !== 'paused' || sealed) return;
      await deps.tracing.startChunk({ title });
      state = 'recording';
    },
    seal() {
      sealed = true;
    },
    async finish() {
      if (state === 'recording') await deps.save(false);
      else if (state === 'paused') await deps.tracing.stop().catch(() => undefined);
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
