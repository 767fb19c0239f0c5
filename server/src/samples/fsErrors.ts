/**
 * Short, readable reasons for file system errors, for `path: reason` messages.
 */

/**
 * Turns a Node file system error into a short reason (`no such file or directory`), falling back to
 * the error's message.
 */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'ENOTDIR':
      return 'not a folder';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}
