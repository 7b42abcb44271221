/** Exit code of a command line Payrail does not understand (an unknown command or option, a bad value). */
export const usageExitCode = 2;

/**
 * Wraps the action of a one-off command: runs it, then exits with the code it returns (the pool and the embedded
 * database of the command are closed by then; an exit makes sure no stray timer keeps the process up).
 */
export function oneShot<Arguments extends unknown[]>(run: (...args: Arguments) => Promise<number>): (...args: Arguments) => Promise<void> {
  return async (...args: Arguments) => {
    process.exit(await run(...args));
  };
}
