import type { AppUser } from '../model/index.js';
import type { EvidenceItem, EvidenceSink } from '../model/evidence.js';

/**
 * The one interface every app driver implements, API or console. The engine never
 * knows which kind it is talking to: plan, dry run, retries, evidence and read-back
 * work the same for both.
 */
export interface ProvisionSpec {
  email: string;
  firstName: string;
  lastName: string;
  role: string;
  teams?: string[];
}

export interface ChangeResult {
  /** False when the app was already in the wanted state, or in a dry run. */
  changed: boolean;
  /** The user as read back after the change (or as it would be, in a dry run). */
  after: AppUser | null;
  /** Facts a person must act on, e.g. "SAML user: also disable in the IdP". */
  notes: string[];
  /** True in a dry run: the change was prepared and shown, never sent. */
  planned?: boolean;
  /** Evidence this call left; the engine adds it to the task. */
  evidence?: EvidenceItem[];
}

export type { EvidenceSink } from '../model/evidence.js';

export interface DriverCallContext {
  evidence: EvidenceSink;
  /** Prepare and show the change, never send it. */
  dryRun: boolean;
  signal?: AbortSignal;
}

export interface ListOptions {
  /** Include deactivated/archived users where the app can list them. */
  includeInactive?: boolean;
  /**
   * Most page reads the driver may have in flight at once; default 1. Drivers whose
   * pages can be addressed independently use it (BigID: offset pages; Bill.com: a tab
   * per range of pages); cursor paging (Sigma) and one-page consoles (Stitch) ignore it.
   */
  concurrency?: number;
  /**
   * Called once, when the driver learns how many users the listing covers (so a TTY
   * can show read/total). Drivers that filter by status themselves after reading may
   * report the unfiltered count: treat it as an upper bound. Not called when the app
   * gives no total.
   */
  onTotal?: (total: number) => void;
  /**
   * Runs one page read (and whatever sign-in it needs). The caller may retry it: a
   * review passes its retry policy here, so a 429 or 503 on page 7 repeats page 7
   * and the listing goes on, instead of failing the whole app. `read` must be safe to
   * call again (same offset or cursor). Drivers that call it say so with
   * `capabilities.retriesPages`; the caller then does not wrap `next()` itself.
   */
  readPage?: <T>(read: () => Promise<T>) => Promise<T>;
}

export interface Driver {
  readonly app: string;
  readonly kind: 'api' | 'console';
  readonly capabilities: {
    delete: boolean;
    reactivate: boolean;
    /**
     * False for consoles that drop deactivated members from every list (Stitch): an
     * absent account there may be one already deactivated, so offboarding reports
     * `noop` ("no access") rather than `not_found`.
     */
    listsDeactivated?: boolean;
    /** listUsers reads each page through `ListOptions.readPage` (so a caller can retry pages). */
    retriesPages?: boolean;
    /**
     * False when this driver cannot create accounts or change roles at all (a console
     * flow kept only for one operation, like Sigma's document hand-over). Absent means
     * true. A routed app (several drivers) skips such a driver for that operation
     * without calling it; a single driver still answers UNSUPPORTED when called.
     */
    provision?: boolean;
    setRole?: boolean;
    /** True when the driver implements `transferOwnership`. */
    transferOwnership?: boolean;
  };

  findUser(email: string, ctx: DriverCallContext): Promise<AppUser | null>;
  /** Pages of users, so a review of 10,000 people streams. */
  listUsers(ctx: DriverCallContext, options?: ListOptions): AsyncIterable<AppUser[]>;
  listRoles(ctx: DriverCallContext): Promise<string[]>;
  /** Checks a whole batch before any create, so a batch never fails half-way. */
  validateProvision(specs: ProvisionSpec[], ctx: DriverCallContext): Promise<void>;
  provision(spec: ProvisionSpec, ctx: DriverCallContext): Promise<ChangeResult>;
  setRole(user: AppUser, role: string, ctx: DriverCallContext): Promise<ChangeResult>;
  deactivate(user: AppUser, ctx: DriverCallContext): Promise<ChangeResult>;
  reactivate(user: AppUser, ctx: DriverCallContext): Promise<ChangeResult>;
  delete(user: AppUser, ctx: DriverCallContext): Promise<ChangeResult>;
  /**
   * Hands the user's owned content (Sigma: documents and folders) to another member,
   * identified by email, before the user is deactivated. Optional: only drivers with
   * `capabilities.transferOwnership` implement it. `changed: false` when the user owned
   * nothing. The read-back (`after`) is the user; the evidence names what moved.
   */
  transferOwnership?(user: AppUser, toEmail: string, ctx: DriverCallContext): Promise<ChangeResult>;
  /** Read-only check for `seatctl doctor`: sign in and read the first page of users. */
  canary?(ctx: DriverCallContext): Promise<{ users: number }>;
  /** Releases sessions, browsers, sockets. */
  close(): Promise<void>;
}
