import type { z } from 'zod';

/** `apps.bigid.credentials.password: must be a secret reference …` — the field first, always. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: (string | number)[] = []): string {
  return issues
    .map((issue) => {
      const path = [...prefix, ...issue.path].map(String).join('.') || '(root)';
      let message = issue.message;
      if (issue.code === 'unrecognized_keys') message = `unknown key(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
      return `${path}: ${message}`;
    })
    .join('\n');
}
