import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { asTenantMcpError } from '../../errors.js';
import { assertTokenLive, type TenantContext } from '../context.js';
import { describeFailure } from '../wire.js';

/**
 * Runs a resource, prompt or completion handler for a live token only, and turns failures
 * into protocol errors: known ones keep their code and hint, anything else is logged here
 * and reaches the client only as "internal error".
 */
export async function guarded<T>(
  ctx: TenantContext,
  what: string,
  handler: () => T | Promise<T>,
): Promise<T> {
  try {
    assertTokenLive(ctx);
    return await handler();
  } catch (error) {
    const known = asTenantMcpError(error);
    if (known.code === 'INTERNAL') {
      ctx.logger.error({ err: known.cause, handler: what }, 'handler failed unexpectedly');
      throw new ProtocolFailure(ErrorCode.InternalError, describeFailure(known));
    }
    throw new ProtocolFailure(ErrorCode.InvalidParams, describeFailure(known));
  }
}

/**
 * A JSON-RPC error as the SDK sends it: its numeric code and its message as they are. The
 * SDK's McpError would prefix the message, and clients prefix it once more.
 */
export class ProtocolFailure extends Error {
  readonly code: number;

  constructor(code: number, message: string) {
    super(message);
    this.name = 'ProtocolFailure';
    this.code = code;
  }
}
