import { request, type Dispatcher } from 'undici';
import { SeatctlError } from '../errors/index.js';
import { errorForNetwork, errorForStatus } from '../http/http-error.js';

/**
 * One POST to a receiver. Deliberately not the drivers' HttpClient: that one records
 * request and response bodies as task evidence and quotes the response in its errors,
 * while a receiver's answer is nobody's business but the status. So: the response
 * body is discarded unread, errors name the webhook (never the URL, which may itself
 * be a secret), a whole-request timeout, and redirects are not followed (undici's
 * request() never follows them; a 3xx counts as a refusal).
 */
export interface PostResult {
  status: number;
}

export async function postWebhook(
  target: { name: string; url: string },
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  dispatcher?: Dispatcher,
): Promise<PostResult> {
  const what = `webhook ${target.name}: POST`;
  let res: Dispatcher.ResponseData;
  try {
    res = await request(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'seatctl-webhooks', ...headers },
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
      ...(dispatcher ? { dispatcher } : {}),
    });
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') throw new SeatctlError('TIMEOUT', `${what}: timed out after ${timeoutMs} ms`, { cause: err });
    throw errorForNetwork(err, what, timeoutMs);
  }
  // Read nothing of the answer; dump() drains a little and closes, so the socket is reused or freed.
  await res.body.dump().catch(() => {});
  if (res.statusCode >= 200 && res.statusCode < 300) return { status: res.statusCode };
  const why = res.statusCode >= 300 && res.statusCode < 400 ? ' (redirects are not followed: configure the final URL)' : '';
  throw errorForStatus(res.statusCode, `${what} returned ${res.statusCode}${why}`, res.headers, { webhook: target.name });
}
