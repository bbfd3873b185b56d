/** design.md: 0 all tasks succeeded or were no-ops, 1 some task failed, 2 usage or config error. */
export const EXIT = { OK: 0, TASK_FAILED: 1, USAGE: 2 } as const;
