/** What one render run reports back from the page (shared by the page and the driver; no DOM types). */
export interface RenderRun {
  totalMs: number;
  longestMs: number;
  /** The final DOM's text, to check both renderers produced the same answer. */
  text: string;
}
