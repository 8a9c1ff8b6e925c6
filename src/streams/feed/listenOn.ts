import type { Server } from 'node:http';
import { ConfigError } from '../../core/errors/ConfigError.ts';

/**
 * Binds `server` to host:port and resolves with the port it got (port 0 = any free port). A port that
 * cannot be bound (in use, privileged, address not on this machine) rejects with a ConfigError whose
 * message `cannotBind(code)` writes in the caller's own terms (its config key or flag).
 */
export function listenOn(server: Server, port: number, host: string, cannotBind: (code: string) => string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL' ? new ConfigError(cannotBind(err.code)) : err),
    );
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
