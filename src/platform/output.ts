/**
 * Writing Payrail's own output (progress lines, the start banner, command results) so that a reader who went away
 * cannot take the process down. Node reports a write to a closed pipe (EPIPE) as an 'error' event on the stream, and
 * an unhandled one ends the process: a `payrail start | head` or a supervisor that closed its end would then kill
 * Payrail in the middle of its shutdown, leaving the embedded database running. Output is best effort; work is not.
 */

let guarded = false;

/** Makes write errors on stdout and stderr harmless for the rest of the process (lines written later are dropped). */
export function guardStandardOutput(): void {
  if (guarded) return;
  guarded = true;
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}

/** Writes one line to a standard stream; a failed write is ignored (see above). */
export function writeLine(stream: NodeJS.WriteStream, line: string): void {
  guardStandardOutput();
  try {
    stream.write(`${line}\n`);
  } catch {
    // A destroyed stream may throw synchronously: the line is lost, the caller goes on.
  }
}
