import { loadVerificationKey } from '../../auth/keys.js';
import type { Config } from '../../config/load.js';
import { createLogger } from '../../log/logger.js';
import { startHttpService } from '../../transports/http/service.js';
import type { Io } from '../io.js';

/** Serves every tenant over Streamable HTTP until a stop signal; 0 once stopped cleanly. */
export async function serveHttp(config: Config, io: Io): Promise<number> {
  const logger = createLogger(config.log.level, { buffered: true });
  const key = loadVerificationKey(config.auth, io.env);
  const service = await startHttpService(config, { key, logger });
  io.onStopSignal(() => void service.stop());
  await service.stopped;
  return 0;
}
