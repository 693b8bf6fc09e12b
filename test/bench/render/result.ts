/** What one render run reports back from the page (shared by the page and the driver; no DOM types). */
export interface RenderRun {
  totalMs: number;
  longestMs: number;
  /** The frame in which the answer completed (the chat's `finish()`); 0 for the naive renderer, which has none. */
  finishMs: number;
  /** The final DOM's text, to check both renderers produced the same answer. */
  text: string;
}
