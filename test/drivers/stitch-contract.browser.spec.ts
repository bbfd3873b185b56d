import { driverContract, type ContractTarget } from './contract.js';
import { groundTruth } from '../support/api-env.js';
import { startSimEnv } from '../support/sim-env.js';
import { testContext } from '../support/evidence.js';

const FIXED = ['jdoe@example.com', 'asmith@example.com', 'samlsam@example.com', 'it-admin@example.com'];
interface StitchTruth { users: { email: string; role: string; status: string }[]; mutations: unknown[] }

driverContract('stitch-ui', async (): Promise<ContractTarget> => {
  const env = await startSimEnv(['stitch'], { simulators: { stitch: { users: 30 } } });
  const state = () => groundTruth<StitchTruth>(env.fixtures.stitch!.stateUrl);
  return {
    driver: env.runtime.driver('stitch'),
    runtime: env.runtime,
    ctx: (dryRun) => testContext(dryRun),
    truth: async (email) => {
      const u = (await state()).users.find((x) => x.email.toLowerCase() === email.toLowerCase());
      return u ? { active: u.status !== 'Deactivated', role: u.role } : null;
    },
    mutationCount: async () => (await state()).mutations.length,
    // The console lists Active and Invited members only.
    listedCount: async () => (await state()).users.filter((u) => u.status !== 'Deactivated').length,
    people: { roleChange: 'asmith@example.com', deactivate: 'jdoe@example.com', dryRun: 'it-admin@example.com' },
    roles: ['Administrator', 'General User'],
    newPerson: { email: 'new.hire@example.com', firstName: 'New', lastName: 'Hire', role: 'General User' },
    spares: async () => (await state()).users.filter((u) => u.status === 'Active' && u.role === 'General User' && !FIXED.includes(u.email)).map((u) => u.email),
    close: () => env.close(),
  };
});
