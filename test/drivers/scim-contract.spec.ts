import { driverContract, type ContractTarget } from './contract.js';
import { PEER_ROLES, startScimEnv, type ScimEnvOptions } from '../support/scim-env.js';
import { testContext } from '../support/evidence.js';

/**
 * The one driver contract, run by the `scim2` driver against two SCIM servers: Sigma's
 * simulator (/scim/v2, userType = account type, no ServiceProviderConfig) and an
 * independent server we did not write (SCIMMY + scimmy-routers from npm, `roles`,
 * behind the fault proxy with no faults queued). Truth is each server's own store.
 */
const FIXED = ['jdoe@example.com', 'asmith@example.com', 'samlsam@example.com', 'it-admin@example.com'];

async function target(options: ScimEnvOptions, roles: [string, string], newRole: string): Promise<ContractTarget> {
  const env = await startScimEnv(options);
  const truthOf = async (email: string) => (await env.users()).find((u) => u.email.toLowerCase() === email.toLowerCase());
  return {
    driver: env.runtime.driver('scim'),
    runtime: env.runtime,
    ctx: (dryRun) => testContext(dryRun),
    truth: async (email) => {
      const u = await truthOf(email);
      return u ? { active: u.active, role: u.role } : null;
    },
    mutationCount: async () => (await env.mutations()).length,
    listedCount: async () => (await env.users()).length,
    people: { roleChange: 'asmith@example.com', deactivate: 'jdoe@example.com', dryRun: 'samlsam@example.com' },
    roles,
    newPerson: { email: 'new.hire@example.com', firstName: 'New', lastName: 'Hire', role: newRole },
    spares: async () => (await env.users()).filter((u) => u.active && u.role === 'Viewer' && !FIXED.includes(u.email)).map((u) => u.email),
    close: () => env.close(),
  };
}

// Pages of 40 over ~150 members: the listing crosses several pages.
driverContract('scim2 → Sigma simulator /scim/v2', () => target({ target: 'sigma', sigma: { users: 150 }, options: { pageSize: 40 } }, ['Creator', 'Viewer'], 'Explorer'));

// SCIMMY caps nothing by default; 25 per page over 64 users is three pages.
driverContract('scim2 → SCIMMY peer (independent, through the fault proxy)', () => target({ target: 'peer', proxy: true, options: { pageSize: 25 } }, [PEER_ROLES[0]!, 'Viewer'], 'Auditor'));
