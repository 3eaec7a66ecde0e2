// A small client for Railway's GraphQL API. The token goes in a header and nowhere else:
// errors carry the operation and Railway's message, never the request.
import { OPS, type OpName, type OpResults, type OpVariables } from './railway-operations.ts';

export const RAILWAY_ENDPOINT = 'https://backboard.railway.com/graphql/v2';

/**
 * Account and workspace tokens go as `Authorization: Bearer`; a project token (scoped to
 * one environment) as `Project-Access-Token` (Railway's "Use the Public API" guide).
 */
export type RailwayAuth = { kind: 'account'; token: string } | { kind: 'project'; token: string };

/** RAILWAY_API_TOKEN (account/workspace) or RAILWAY_TOKEN (project), as Railway's CLI names them. */
export function authFromEnv(env: NodeJS.ProcessEnv): RailwayAuth | undefined {
  if (env.RAILWAY_API_TOKEN) return { kind: 'account', token: env.RAILWAY_API_TOKEN };
  if (env.RAILWAY_TOKEN) return { kind: 'project', token: env.RAILWAY_TOKEN };
  return undefined;
}

export function authHeaders(auth: RailwayAuth): Record<string, string> {
  return auth.kind === 'account' ? { Authorization: `Bearer ${auth.token}` } : { 'Project-Access-Token': auth.token };
}

export class RailwayApiError extends Error {
  constructor(op: string, detail: string) {
    super(`Railway ${op}: ${detail}`);
    this.name = 'RailwayApiError';
  }
}

export interface RailwayClient {
  call<K extends OpName>(op: K, variables: OpVariables[K]): Promise<OpResults[K]>;
}

export function railwayClient(auth: RailwayAuth, endpoint = RAILWAY_ENDPOINT, fetchImpl: typeof fetch = fetch): RailwayClient {
  return {
    async call(op, variables) {
      let res: Response;
      try {
        res = await fetchImpl(endpoint, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...authHeaders(auth) },
          body: JSON.stringify({ query: OPS[op], variables, operationName: op }),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (e) {
        throw new RailwayApiError(op, `request failed: ${(e as Error).message}`);
      }
      const text = await res.text();
      let body: { data?: unknown; errors?: { message: string }[] };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        throw new RailwayApiError(op, `HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
      }
      if (body.errors?.length) throw new RailwayApiError(op, body.errors.map((e) => e.message).join('; '));
      if (!res.ok || !body.data) throw new RailwayApiError(op, `HTTP ${res.status}`);
      return body.data as OpResults[typeof op];
    },
  };
}
