import { userInfo } from 'node:os';
import { cliPrincipal, type Principal } from '../auth/principal.js';

/**
 * The person running this CLI, by their OS account (the uid's passwd entry, not $USER,
 * which a command line can set to anything and which is often unset in containers).
 * Every local command records and compares this one id, so a person's `offboard` and
 * their `jobs approve` are recognised as the same person.
 */
export function localPrincipal(env: NodeJS.ProcessEnv): Principal {
  try {
    return cliPrincipal(userInfo().username);
  } catch {
    // No passwd entry for this uid (some containers): the environment is all there is.
    return cliPrincipal(env.USER ?? env.LOGNAME);
  }
}
