import { driverContract, type ContractTarget } from './contract.js';
import { groundTruth } from '../support/api-env.js';
import { startSimEnv } from '../support/sim-env.js';
import { testContext } from '../support/evidence.js';

const FIXED = ['jdoe@example.com', 'asmith@example.com', 'samlsam@example.com', 'it-admin@example.com', 'controller@example.com', 'treasurer@example.com'];
interface BillcomTruth { users: { email: string; role: string; status: string }[]; mutations: unknown[] }

driverContract('billcom-ui', async (): Promise<ContractTarget> => {
  const env = await startSimEnv(['billcom'], { simulators: { billcom: { users: 60 } } });
  const state = () => groundTruth<BillcomTruth>(env.fixtures.billcom!.stateUrl);
  return {
    driver: env.runtime.driver('billcom'),
    runtime: env.runtime,
    ctx: (dryRun) => testContext(dryRun),
    truth: async (email) => {
      const u = (await state()).users.find((x) => x.email.toLowerCase() === email.toLowerCase());
      return u ? { active: u.status !== 'Inactive', role: u.role } : null;
    },
    mutationCount: async () => (await state()).mutations.length,
    listedCount: async () => (await state()).users.length,
    people: { roleChange: 'asmith@example.com', deactivate: 'jdoe@example.com', dryRun: 'controller@example.com' },
    roles: ['Accountant', 'Clerk'],
    newPerson: { email: 'new.hire@example.com', firstName: 'New', lastName: 'Hire', role: 'Payer' },
    // Not the approvers or Administrators: Bill.com refuses to deactivate some of those.
    spares: async () => (await state()).users.filter((u) => u.status === 'Active' && !['Administrator', 'Payer'].includes(u.role) && !FIXED.includes(u.email)).map((u) => u.email),
    close: () => env.close(),
  };
});
