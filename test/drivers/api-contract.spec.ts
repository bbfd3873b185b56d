import { driverContract, type ContractTarget } from './contract.js';
import { groundTruth, startApiEnv } from '../support/api-env.js';
import { testContext } from '../support/evidence.js';

const FIXED = ['jdoe@example.com', 'asmith@example.com', 'samlsam@example.com', 'it-admin@example.com'];
interface BigIdTruth { users: { email: string; isEnabled: boolean; role?: string }[]; mutations: unknown[] }
interface SigmaTruth { users: { email: string; isArchived: boolean; memberType: string }[]; mutations: unknown[] }

driverContract('bigid-api', async (): Promise<ContractTarget> => {
  const env = await startApiEnv({ bigid: { users: 450 } });
  const state = () => groundTruth<BigIdTruth>(env.bigid.stateUrl);
  return {
    driver: env.runtime.driver('bigid'),
    runtime: env.runtime,
    ctx: (dryRun) => testContext(dryRun),
    truth: async (email) => {
      const u = (await state()).users.find((x) => x.email.toLowerCase() === email.toLowerCase());
      return u ? { active: u.isEnabled, role: u.role || null } : null;
    },
    mutationCount: async () => (await state()).mutations.length,
    listedCount: async () => (await state()).users.length,
    people: { roleChange: 'asmith@example.com', deactivate: 'jdoe@example.com', dryRun: 'samlsam@example.com' },
    roles: ['Admin', 'Viewer'],
    newPerson: { email: 'new.hire@example.com', firstName: 'New', lastName: 'Hire', role: 'Viewer' },
    spares: async () => (await state()).users.filter((u) => u.isEnabled && u.role === 'Viewer' && !FIXED.includes(u.email)).map((u) => u.email),
    close: () => env.close(),
  };
});

driverContract('sigma-api', async (): Promise<ContractTarget> => {
  const env = await startApiEnv({ sigma: { users: 1500 } });
  const state = () => groundTruth<SigmaTruth>(env.sigma.stateUrl);
  return {
    driver: env.runtime.driver('sigma'),
    runtime: env.runtime,
    ctx: (dryRun) => testContext(dryRun),
    truth: async (email) => {
      const u = (await state()).users.find((x) => x.email.toLowerCase() === email.toLowerCase());
      return u ? { active: !u.isArchived, role: u.memberType } : null;
    },
    mutationCount: async () => (await state()).mutations.length,
    listedCount: async () => (await state()).users.length,
    people: { roleChange: 'asmith@example.com', deactivate: 'jdoe@example.com', dryRun: 'samlsam@example.com' },
    roles: ['Creator', 'Viewer'],
    newPerson: { email: 'new.hire@example.com', firstName: 'New', lastName: 'Hire', role: 'Explorer' },
    spares: async () => (await state()).users.filter((u) => !u.isArchived && u.memberType === 'Viewer' && !FIXED.includes(u.email)).map((u) => u.email),
    close: () => env.close(),
  };
});
