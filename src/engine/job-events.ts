import type { JobStatus, Task } from '../model/index.js';
import type { JobStore } from '../store/job-store.js';

/** What changed: a task was saved, or the job's status moved. */
export type JobEvent = { kind: 'task'; jobId: string; task: Task } | { kind: 'status'; jobId: string; status: JobStatus };

/**
 * In-process fan-out of job changes to whoever follows a job (the web console's
 * server-sent events). One process: the engine that changes a job is the one the
 * browser is connected to. A distributed deployment would feed this from the store's
 * change notifications instead; the subscribers stay the same.
 */
export interface JobEvents {
  publish(event: JobEvent): void;
  /** Returns the unsubscribe function; call it when the connection closes. */
  subscribe(jobId: string, listener: (event: JobEvent) => void): () => void;
  /** Followers of a job right now (tests check connections are let go). */
  listeners(jobId: string): number;
}

export function createJobEvents(): JobEvents {
  const byJob = new Map<string, Set<(event: JobEvent) => void>>();
  return {
    publish(event) {
      for (const listener of byJob.get(event.jobId) ?? []) {
        // A follower that throws must not stop the engine or the other followers.
        try {
          listener(event);
        } catch {
          /* the follower's connection is gone; its close handler unsubscribes it */
        }
      }
    },
    subscribe(jobId, listener) {
      let set = byJob.get(jobId);
      if (!set) byJob.set(jobId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && byJob.get(jobId) === set) byJob.delete(jobId);
      };
    },
    listeners: (jobId) => byJob.get(jobId)?.size ?? 0,
  };
}

/**
 * The store, publishing each task save and status change once it is durable. The
 * engine writes every change through the store, so wrapping it catches all of them
 * (including a job's final status, which no task save announces) without the engine
 * knowing anyone listens.
 */
export function publishingStore(store: JobStore, events: JobEvents): JobStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'saveTask') {
        return async (task: Task) => {
          await target.saveTask(task);
          events.publish({ kind: 'task', jobId: task.jobId, task });
        };
      }
      if (prop === 'setStatus') {
        return async (jobId: string, status: JobStatus, finishedAt?: string | null) => {
          await target.setStatus(jobId, status, finishedAt);
          events.publish({ kind: 'status', jobId, status });
        };
      }
      if (prop === 'decide') {
        // A rejection cancels the job inside the decision write.
        return async (jobId: string, decision: Parameters<JobStore['decide']>[1]) => {
          const result = await target.decide(jobId, decision);
          if (result.ok && decision.decision === 'reject') events.publish({ kind: 'status', jobId, status: 'cancelled' });
          return result;
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
