/**
 * The sample arguments of `replay`: files and folders (`discoverSampleFiles`), and `-` for
 * standard input, as Unix tools read it.
 */
import * as nodePath from 'node:path';
import { discoverSampleFiles } from '../samples/discover';
import type { SampleSource } from '../samples/pipeline';

/** The name standard input goes by in messages and match locations (`<stdin>:LINE`). */
export const STDIN_NAME = '<stdin>';

/**
 * Expands sample arguments into the sources to replay, in argument order.
 *
 * @param args paths as written by the user; `-` stands for standard input (a file named `-` is
 *   written `./-`), at most once.
 * @param stdin standard input's bytes (read once, when the replay reaches it); absent: `-` is an error.
 * @returns the sources (files as `discoverSampleFiles` finds them, no file twice; standard input as
 *   {@link STDIN_NAME} with its bytes) and one `path: reason` per argument that could not be used;
 *   never throws for file system problems.
 */
export async function sampleSources(args: readonly string[], stdin?: () => AsyncIterable<Buffer>): Promise<{ sources: SampleSource[]; errors: string[] }> {
  const dash = args.indexOf('-');
  if (dash < 0) {
    const found = await discoverSampleFiles(args);
    return { sources: found.files.map((path) => ({ path })), errors: found.errors };
  }
  if (args.indexOf('-', dash + 1) >= 0) return { sources: [], errors: ['-: standard input can be given only once'] };
  if (!stdin) return { sources: [], errors: ['-: no standard input to read here'] };
  const before = await discoverSampleFiles(args.slice(0, dash));
  const after = await discoverSampleFiles(args.slice(dash + 1));
  const seen = new Set(before.files.map((file) => nodePath.resolve(file)));
  return {
    sources: [
      ...before.files.map((path) => ({ path })),
      { path: STDIN_NAME, bytes: stdin() },
      ...after.files.filter((file) => !seen.has(nodePath.resolve(file))).map((path) => ({ path })),
    ],
    errors: [...before.errors, ...after.errors],
  };
}
