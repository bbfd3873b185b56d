import { expect, test } from '@playwright/test';
import { EVIDENCE_NOTES_SHOWN, humanSummary } from '../../src/cli/render-job.js';
import { freshTaskState, jobSchema, type Job } from '../../src/model/index.js';

/**
 * The terminal summary shows a task's evidence notes beside its own notes: each once,
 * in the order they were written, and a long run of them cut short with a pointer to
 * the evidence (the change's own notes always shown). (End to end, test/routing/fallback.spec.ts checks a real hand-over's
 * reason appears under its task.)
 */
function jobWith(taskNotes: string[], evidenceNotes: string[]): Job {
  const at = '2026-12-01T00:00:00.000Z';
  return jobSchema.parse({
    id: 'job_x',
    kind: 'offboard',
    status: 'succeeded',
    dryRun: false,
    createdAt: at,
    finishedAt: at,
    tasks: [
      {
        ...freshTaskState(),
        id: 't01-docs',
        jobId: 'job_x',
        app: 'docs',
        action: 'offboard',
        subject: { email: 'leaver@example.com' },
        params: {},
        status: 'succeeded',
        outcome: 'changed',
        notes: taskNotes,
        evidence: evidenceNotes.map((text) => ({ kind: 'note', at, text })),
      },
    ],
  });
}

const noteLines = (out: string) => out.split('\n').filter((l) => l.trim().startsWith('note: ')).map((l) => l.trim().slice('note: '.length));

test('evidence notes and the task\'s own notes are shown once each, in the order they were written', () => {
  const out = humanSummary(
    jobWith(['read back: gone', 'SAML user: also disable in the IdP'], ['find via door-a refused (NOT_ON_PLAN: 402); handing to door-b', 'read back: gone', 'retry after TIMEOUT: slow', 'retry after TIMEOUT: slow']),
    '/data',
  );
  expect(noteLines(out)).toEqual(['find via door-a refused (NOT_ON_PLAN: 402); handing to door-b', 'read back: gone', 'retry after TIMEOUT: slow', 'SAML user: also disable in the IdP']);
  expect(out).not.toContain('more note(s)');
});

test(`past ${EVIDENCE_NOTES_SHOWN} evidence notes the rest is counted and left to the evidence`, () => {
  const many = Array.from({ length: EVIDENCE_NOTES_SHOWN + 3 }, (_, i) => `retry after RATE_LIMITED: wait ${i}`);
  // The change's own note, written last, is shown whatever the count.
  const out = humanSummary(jobWith(['read back: gone'], [...many, 'read back: gone']), '/data');
  expect(noteLines(out)).toEqual([...many.slice(0, EVIDENCE_NOTES_SHOWN), 'read back: gone']);
  expect(out).toContain("… 3 more note(s) in the task's evidence");
});
