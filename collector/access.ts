import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './http-error';
import { TokenMatcher, bearerToken, type NodeTokens } from './tokens';

/** Who may call what: nodes (ingest, list sync) by node token; operators (dashboard, admin API) by admin token. */
export class AccessControl {
  private readonly nodes: TokenMatcher;
  private readonly admin: TokenMatcher | null;

  constructor(nodeTokens: NodeTokens, adminToken: string | null) {
    this.nodes = new TokenMatcher(nodeTokens);
    this.admin = adminToken ? new TokenMatcher({ admin: adminToken }) : null;
  }

  get adminTokenSet(): boolean {
    return this.admin !== null;
  }

  /** The authenticated node's name; 401 otherwise. */
  node(request: FastifyRequest): string {
    const name = this.nodes.match(bearerToken(request.headers.authorization));
    if (name === null) throw unauthorized('a valid node token is required (Authorization: Bearer <token>)');
    return name;
  }

  /**
   * Operators: the admin token when one is configured; without one, only clients on the loopback interface
   * (the local all-in-one setup), so a collector on a public address never has an open admin API.
   */
  operator(request: FastifyRequest): void {
    if (this.admin) {
      if (this.admin.match(bearerToken(request.headers.authorization)) === null) {
        throw unauthorized('a valid admin token is required (Authorization: Bearer <COLLECTOR_ADMIN_TOKEN>)');
      }
      return;
    }
    if (!isLoopback(request.socket.remoteAddress)) {
      throw new HttpError(403, 'forbidden', 'admin API is only open on loopback while COLLECTOR_ADMIN_TOKEN is unset');
    }
  }

  /** Node token or operator access (the IP list is read by both). */
  nodeOrOperator(request: FastifyRequest): void {
    if (this.nodes.match(bearerToken(request.headers.authorization)) !== null) return;
    this.operator(request);
  }
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, 'unauthorized', message);
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

/** Fastify hook form, so authentication runs before any body is read or decompressed. */
export function guard(check: (request: FastifyRequest) => void) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    try {
      check(request);
    } catch (error) {
      if (error instanceof HttpError && error.statusCode === 401) reply.header('WWW-Authenticate', 'Bearer');
      throw error;
    }
  };
}
