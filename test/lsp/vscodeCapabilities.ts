/**
 * The `textDocument.completion` client capabilities VS Code's language client (vscode-languageclient
 * 11, `lib/common/completion.js`, `fillClientCapabilities`) declares, so that tests and benchmarks get
 * completion answers shaped as the editor receives them (the edit range once in `itemDefaults.editRange`).
 */
export const VSCODE_COMPLETION_CAPABILITIES = {
  completion: {
    dynamicRegistration: true,
    contextSupport: true,
    completionItem: {
      snippetSupport: true,
      commitCharactersSupport: true,
      documentationFormat: ['markdown', 'plaintext'],
      deprecatedSupport: true,
      preselectSupport: true,
      tagSupport: { valueSet: [1] },
      insertReplaceSupport: true,
      resolveSupport: { properties: ['documentation', 'detail', 'additionalTextEdits'] },
      insertTextModeSupport: { valueSet: [1, 2] },
      labelDetailsSupport: true,
    },
    insertTextMode: 2,
    completionList: { itemDefaults: ['commitCharacters', 'editRange', 'insertTextFormat', 'insertTextMode', 'data'], applyKindSupport: true },
  },
} as const;
