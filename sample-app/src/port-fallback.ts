import { createServer } from 'node:net';

/** Where a port comes from, for the message when it is taken. */
export interface PortSetting {
  /** What the port is for, e.g. 'The sample app (HTTP)'. */
  label: string;
  /** The environment variable that sets it, e.g. 'PORT'. */
  variable: string;
  /** Its value, when set. */
  value: string | undefined;
  /** The port used when the variable is unset. */
  defaultPort: number;
  /** What else the user can do, appended to the messages. */
  hint?: string;
}

function inUse(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

/**
 * Calls `listen(port)` with the configured port. When that port is taken: if
 * the variable was set, fails with an error naming it; if the default was
 * used, warns and listens on a free port (0) instead, so that `npm start`
 * works next to another server on the default port.
 */
export async function listenWithFallback<T>(
  setting: PortSetting,
  listen: (port: number) => Promise<T>,
  warn: (message: string) => void,
): Promise<T> {
  const explicit = setting.value !== undefined && setting.value !== '';
  const port = explicit ? Number(setting.value) : setting.defaultPort;
  const hint = setting.hint ? ` ${setting.hint}` : '';
  try {
    return await listen(port);
  } catch (err) {
    if (!inUse(err)) throw err;
    if (explicit) {
      throw new Error(
        `${setting.label}: port ${port} (${setting.variable}=${setting.value}) is already in use. ` +
          `Set ${setting.variable} to a free port, or to 0 for any free port.${hint}`,
        { cause: err },
      );
    }
    warn(
      `${setting.label}: port ${port} is already in use, so a free port is used instead ` +
        `(set ${setting.variable} to choose one).${hint}`,
    );
    return listen(0);
  }
}

/**
 * Resolves when `port` can be bound on `host` (binding and releasing it), and
 * rejects with the EADDRINUSE error when it cannot: to try a port before a
 * framework that logs its own error for a failed listen.
 */
export async function probePort(port: number, host: string): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  await new Promise((resolve) => server.close(resolve));
}
