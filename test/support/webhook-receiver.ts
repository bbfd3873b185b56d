import { randomBytes } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { registerSecret } from './scan-root.js';

/**
 * A webhook receiver on loopback, as a team would write one: it verifies every request
 * with the `standardwebhooks` library (an implementation seatctl did not write) and
 * refuses, with 400, a bad signature, a tampered body or a timestamp outside the
 * library's 5-minute window. Tests script its answers (500, 429…) and can take it down
 * and bring it back on the same port.
 */
export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered. */
  status: number;
  /** The verification error, when it refused the request. */
  refused: string | null;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
}

export interface WebhookReceiver {
  url: string;
  /** Every request, in arrival order. */
  requests: ReceivedWebhook[];
  /** Scripted answers for the next requests (consumed first); afterwards 204 once verified. */
  answers: Answer[];
  /** Requests it verified and answered 2xx. */
  accepted(): ReceivedWebhook[];
  /** Sends a request as-is (a replay or a forgery) and returns the receiver's status. */
  post(headers: Record<string, string>, body: string): Promise<number>;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/** A fresh Standard Webhooks secret (`whsec_` + base64 of 32 random bytes), registered with the final secret scan. */
export function newWebhookSecret(): string {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  registerSecret(secret, 'webhook signing secret');
  registerSecret(secret.slice('whsec_'.length), 'webhook signing key');
  return secret;
}

export async function startWebhookReceiver(options: { secret?: string } = {}): Promise<WebhookReceiver> {
  const verifier = options.secret ? new Webhook(options.secret) : null;
  const requests: ReceivedWebhook[] = [];
  const answers: Answer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let refused: string | null = null;
      if (verifier) {
        try {
          verifier.verify(body, req.headers as Record<string, string>);
        } catch (err) {
          refused = (err as Error).message;
        }
      }
      const scripted = refused ? undefined : answers.shift();
      const status = refused ? 400 : (scripted?.status ?? 204);
      requests.push({ headers: req.headers, body, status, refused });
      res.writeHead(status, { 'content-type': 'text/plain', ...scripted?.headers });
      // A body seatctl must neither log nor keep.
      res.end(status >= 300 ? `receiver says ${status}: do-not-log-this-body` : '');
    });
  });
  let port = 0;
  const listen = () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  await listen();
  port = (server.address() as AddressInfo).port;
  const stop = () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  const url = `http://127.0.0.1:${port}/hooks/seatctl`;
  return {
    url,
    requests,
    answers,
    accepted: () => requests.filter((r) => r.status >= 200 && r.status < 300),
    async post(headers, body) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      await res.arrayBuffer();
      return res.status;
    },
    down: stop,
    up: listen,
    close: async () => {
      if (server.listening) await stop();
    },
  };
}
