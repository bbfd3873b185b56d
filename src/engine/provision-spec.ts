import type { ProvisionSpec } from '../drivers/driver.js';
import type { Task } from '../model/index.js';

export function provisionSpec(task: Task): ProvisionSpec {
  return {
    email: task.subject.email,
    firstName: task.subject.firstName ?? '',
    lastName: task.subject.lastName ?? '',
    role: task.params.role ?? '',
    ...(task.params.teams ? { teams: task.params.teams } : {}),
  };
}
