/**
 * The exception files named by the `eqlWorkbench.exceptions` setting, as `file:` URIs (paths
 * relative to the first workspace folder, or absolute).
 */
import * as vscode from 'vscode';

/** The configured exception files, as URI strings; empty when none or no workspace folder. */
export function configuredExceptionFiles(): string[] {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const paths = vscode.workspace.getConfiguration('eqlWorkbench').get<string[]>('exceptions') ?? [];
  if (!folder) return [];
  return paths
    .filter((p) => typeof p === 'string' && p !== '')
    .map((p) => (/^(\/|[A-Za-z]:[\\/])/.test(p) ? vscode.Uri.file(p) : vscode.Uri.joinPath(folder.uri, ...p.split(/[\\/]/))).toString());
}

/** The replay request's `exceptionUris` for the configured files (nothing when none is configured). */
export function exceptionParams(): { exceptionUris?: string[] } {
  const uris = configuredExceptionFiles();
  return uris.length > 0 ? { exceptionUris: uris } : {};
}
