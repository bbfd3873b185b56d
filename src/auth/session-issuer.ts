import type { FastifyReply } from 'fastify';
import type { Principal } from './principal.js';

/**
 * What a sign-in method hands a proven principal to: the web console's session store
 * sets its cookie on the reply. Token sign-in and OIDC sign-in both end here, so a
 * console session means the same thing whichever way the person proved who they are.
 */
export interface SessionIssuer {
  signIn(reply: FastifyReply, principal: Principal): Promise<void>;
}
