import type { Platform } from '../runtime.ts';
import { writeLine } from '../platform/output.ts';

/** Progress lines of one-off commands go to stderr, so their stdout holds only their result. */
export const progress = (line: string) => writeLine(process.stderr, `[payrail] ${line}`);

/**
 * Opens the platform for a one-off command (joining the embedded database a running `payrail start` owns, or
 * starting it), runs `use`, and closes it whatever happens. The application is imported here, not at start-up.
 */
export async function withPlatform<T>(use: (platform: Platform) => Promise<T>): Promise<T> {
  const [{ loadConfig }, { openPlatform }] = await Promise.all([import('../config.ts'), import('../runtime.ts')]);
  const platform = await openPlatform(loadConfig(), { log: progress, poolSize: 2 });
  try {
    return await use(platform);
  } finally {
    await platform.close();
  }
}
