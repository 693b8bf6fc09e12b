/** Patterns of credentials that must never reach a log, whatever code path prints them. */
const KEY_PATTERNS: RegExp[] = [/sk-ant-[A-Za-z0-9_-]{8,}/g, /\bsk-[A-Za-z0-9_-]{16,}/g, /(authorization:\s*bearer\s+)\S+/gi, /(x-api-key:\s*)\S+/gi];

/** Replaces known secret values and anything shaped like an API key with «redacted». */
export function redact(text: string, known: Iterable<string> = []): string {
  let out = text;
  for (const value of known) if (value.length >= 8) out = out.split(value).join('«redacted»');
  for (const p of KEY_PATTERNS) out = out.replace(p, (_m, prefix?: unknown) => `${typeof prefix === 'string' ? prefix : ''}«redacted»`);
  return out;
}
