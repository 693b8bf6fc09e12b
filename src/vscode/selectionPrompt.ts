/**
 * The prompt for "Ask About Selection": the question, then the selection as context with its file, language and
 * line range. No `vscode` import, so it can be tested in plain Node.
 */
export interface SelectionContext {
  readonly path: string;
  readonly languageId: string;
  /** 1-based, inclusive. */
  readonly startLine: number;
  readonly endLine: number;
  readonly text: string;
}

export const DEFAULT_SELECTION_QUESTION = 'Explain this code.';

export function selectionPrompt(question: string, s: SelectionContext): string {
  // A fence longer than any backtick run inside the selection, so the code can't close it early.
  const longest = Math.max(2, ...[...s.text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const lines = s.startLine === s.endLine ? `line ${s.startLine}` : `lines ${s.startLine}-${s.endLine}`;
  return `${question.trim() || DEFAULT_SELECTION_QUESTION}\n\nFrom \`${s.path}\` (${s.languageId}, ${lines}):\n\n${fence}${s.languageId}\n${s.text}\n${fence}`;
}
