// The `payrail` command line: the commands are in src/cli (one file per command group, listed in program.ts).
import { runCli } from './cli/program.ts';
import { guardStandardOutput, writeLine } from './platform/output.ts';

guardStandardOutput();
runCli(process.argv.slice(2)).catch((error: unknown) => {
  writeLine(process.stderr, `payrail: ${(error as Error).message}`);
  process.exit(1);
});
