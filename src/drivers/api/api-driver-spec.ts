import type { EvidenceSink, ProvisionSpec } from '../driver.js';
import type { HttpRequest, HttpResponse } from '../../http/http-client.js';
import type { Logger } from '../../log/logger.js';
import type { DriverSpecBase } from '../definition.js';
import type { FlowBase } from '../flow-base.js';
import type { AppUser } from '../../model/index.js';

/**
 * An HTTP-API driver as its author writes it: schemas, an optional sign-in, and one
 * flow per operation. `defineApiDriver` adds what must be the same for every API app:
 * auth headers with re-login on 401, dry runs that never send a mutation, request
 * records in the evidence, and the read-back check after every change.
 */
export interface ApiRequest extends HttpRequest {
  /**
   * A POST (or PUT…) that changes nothing in the app, e.g. a search endpoint. Without
   * this, every non-GET request counts as a mutation and is never sent in a dry run.
   */
  readOnly?: boolean;
}

export interface ApiHttp {
  /**
   * Sends with the auth headers, recording it in the task's evidence. In a dry run a
   * mutation is recorded as planned instead and the flow stops there: the driver
   * reports the task as `planned`.
   */
  send<T = unknown>(req: ApiRequest): Promise<HttpResponse<T>>;
  /** Records a request as planned without sending it (for flows that plan several). */
  plan(req: HttpRequest): void;
  url(path: string, query?: HttpRequest['query']): string;
}

/** What every flow receives. */
export interface ApiFlowContext<C = unknown, O = unknown> extends FlowBase<C, O> {
  evidence: EvidenceSink;
  http: ApiHttp;
  /** A fact for the task result and its evidence, e.g. "documents moved to the admin". */
  note(text: string): void;
  /**
   * Caches a read for the life of the driver (role lists, team ids): concurrent callers
   * share one request; a failure is not cached.
   */
  memo<T>(key: string, load: () => Promise<T>): Promise<T>;
}

/** What `authenticate` receives: the raw client, no auth headers, nothing intercepted. */
export interface ApiAuthContext<C = unknown, O = unknown> {
  app: string;
  credentials: C;
  options: O;
  log: Logger;
  secret(field: string): string;
  /** Mark sign-in requests `sensitive: true` so their bodies never reach evidence. */
  send<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>>;
}

export interface ApiAuth {
  /** Added to every request, e.g. `{ authorization: 'Bearer …' }`. */
  headers: Record<string, string>;
  /** Sign in again after this long (a token's lifetime minus a margin); default: until a 401. */
  expiresInMs?: number;
}

/** `defaultConcurrency` is 4 unless given. */
export interface ApiDriverSpec<C, O> extends DriverSpecBase<C, O> {
  /** Defaults: delete and reactivate when their flows exist; deactivated users listed. */
  capabilities?: { delete?: boolean; reactivate?: boolean; listsDeactivated?: boolean; retriesPages?: boolean };
  /**
   * Signs in and returns the headers for every later request. Called on first use,
   * after `expiresInMs`, and once more when the app answers 401; concurrent tasks
   * share one sign-in.
   */
  authenticate?(ctx: ApiAuthContext<C, O>): Promise<ApiAuth>;
  findUser(ctx: ApiFlowContext<C, O>, email: string): Promise<AppUser | null>;
  /**
   * `concurrency`, `onTotal` and `readPage` as in the driver's ListOptions; a flow may
   * ignore the first two. A flow that reads each page through `readPage` declares
   * `capabilities.retriesPages`.
   */
  listUsers(
    ctx: ApiFlowContext<C, O>,
    options: { includeInactive: boolean; concurrency?: number; onTotal?: (total: number) => void; readPage?: <T>(read: () => Promise<T>) => Promise<T> },
  ): AsyncIterable<AppUser[]>;
  listRoles(ctx: ApiFlowContext<C, O>): Promise<string[]>;
  /** Checks a whole batch before any create. Default: every role is in `listRoles`. */
  validateProvision?(ctx: ApiFlowContext<C, O>, specs: ProvisionSpec[]): Promise<void>;
  /** Each mutating flow returns the user as read back from the app afterwards. */
  provision?(ctx: ApiFlowContext<C, O>, spec: ProvisionSpec): Promise<AppUser | null>;
  setRole?(ctx: ApiFlowContext<C, O>, user: AppUser, role: string): Promise<AppUser | null>;
  deactivate(ctx: ApiFlowContext<C, O>, user: AppUser): Promise<AppUser | null>;
  reactivate?(ctx: ApiFlowContext<C, O>, user: AppUser): Promise<AppUser | null>;
  delete?(ctx: ApiFlowContext<C, O>, user: AppUser): Promise<AppUser | null>;
  /** Read-only check for `seatctl doctor`. Default: read the first page of users. */
  canary?(ctx: ApiFlowContext<C, O>): Promise<{ users: number }>;
}
