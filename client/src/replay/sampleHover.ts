/**
 * Hover on a line of a sample file of the shown replay: why that event passed or failed each stage
 * of the rule (every condition with the event's values, and why it is not true), and what the
 * replay did with it. The server explains it (`eqlWorkbench/explainEvent`) from the same rule,
 * samples and settings as the replay, so the hover and the matches always agree.
 */
import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import { ExplainEventRequest } from '../../../server/src/protocol';
import { eventHoverMarkdown } from './explainFormat';
import { fileNameOfUri } from './format';
import { MAX_EXPLAINED_EVENTS, tooManyToExplain } from './replayCommand';
import { type ReplayStore, uriKey } from './replayState';

/** Document selector of the hover: any file; only the sample files of the shown replay get one. */
export const SAMPLE_HOVER_SELECTOR: vscode.DocumentSelector = [{ scheme: 'file' }];

/** Explains sample lines on hover. */
export class SampleHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly client: BaseLanguageClient,
    private readonly clientReady: Promise<void>,
    private readonly store: ReplayStore,
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const session = this.store.current;
    if (!session || session.stale === 'rule' || session.stale === 'settings') return undefined;
    const key = uriKey(document.uri);
    // A sample edited since the replay: its lines no longer match the replay's.
    if (session.changedSamples?.has(key)) return undefined;
    const sampleUri = session.sampleUris.find((u) => uriKey(u) === key);
    if (sampleUri === undefined || !session.options) return undefined;
    const line = document.lineAt(position.line);
    if (line.isEmptyOrWhitespace) return undefined;
    if (session.result.events > MAX_EXPLAINED_EVENTS) return new vscode.Hover(new vscode.MarkdownString().appendText(tooManyToExplain(session.result.events)), line.range);
    await this.clientReady;
    const result = await this.client.sendRequest(
      ExplainEventRequest,
      {
        uri: session.ruleUri,
        sampleUris: session.sampleUris,
        options: session.options,
        ...(session.openSamples ? { openSamples: session.openSamples } : {}),
        ...(session.sampleCacheBudgetMB !== undefined ? { sampleCacheBudgetMB: session.sampleCacheBudgetMB } : {}),
        ...(session.exceptionUris ? { exceptionUris: session.exceptionUris } : {}),
        sampleUri,
        line: position.line + 1,
      },
      token,
    );
    if (result.leftOutFromIndex !== undefined) {
      // The index name comes from the sample: appended as text, never as Markdown.
      const markdown = new vscode.MarkdownString('**Not replayed**: this event comes from ')
        .appendText(result.leftOutFromIndex)
        .appendMarkdown(", which none of the rule's index patterns resolves to (see *Index patterns* in the Replay Results view).");
      return new vscode.Hover(markdown, line.range);
    }
    if (result.leftOutByException !== undefined) {
      // The item's name comes from the exception file: appended as text, never as Markdown.
      const markdown = new vscode.MarkdownString('**Not replayed**: the exception item ')
        .appendText(`"${result.leftOutByException}"`)
        .appendMarkdown(' leaves this event out, so the rule never sees it (see *Removed by exceptions* in the Replay Results view).');
      return new vscode.Hover(markdown, line.range);
    }
    if (!result.explanation) return undefined;
    const markdown = new vscode.MarkdownString(eventHoverMarkdown(result.explanation, fileNameOfUri(session.ruleUri)), true);
    return new vscode.Hover(markdown, line.range);
  }
}
