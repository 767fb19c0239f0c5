/**
 * Where command output goes, and the exit codes of `eql-workbench`.
 * Commands write through a {@link CliIo} so tests can run them in-process and read what they print.
 */

/** Output sinks of a command run; each call writes text as is (callers add the `\n`). */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Standard input as bytes, read once (`replay RULE -`); absent: no standard input to read. */
  stdin?: () => AsyncIterable<Buffer>;
}

/** Exit codes shared by every command. */
export const ExitCode = {
  /** The command completed (`check`: no error found; `replay`: the replay ran, whatever the number of matches). */
  ok: 0,
  /** The rule has errors (EQL diagnostics of severity error, or a rule file that is not a usable rule). */
  ruleErrors: 1,
  /** Usage error or unreadable input: bad option, missing file, unreadable folder, no sample file found. */
  usage: 2,
  /** An unexpected internal failure (a bug): the message is printed on stderr. */
  internal: 3,
} as const;

/** The {@link CliIo} of the running process. */
export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  stdin: () => process.stdin,
};

/** A {@link CliIo} that keeps everything written, for tests and embedding. */
export function bufferIo(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(text: string): void {
      io.out += text;
    },
    stderr(text: string): void {
      io.err += text;
    },
  };
  return io;
}
