/**
 * What the router knows of a request before anything is sent: its size in tokens, whether it carries code, the kind
 * of request (lookup, writing, coding, reasoning), the signs that it needs a strong model, and the few clear signs
 * that a small one will do. Plain, cheap string checks on purpose: a decision runs before every auto turn, and each
 * feature must be easy to explain in one line ("a short factual question, 18 tokens"). LLMRouterBench (2026) finds
 * such simple baselines hard to beat; the shipped rules use them conservatively: small only on a clear easy sign,
 * medium otherwise, so a request the words do not explain errs towards a stronger model.
 */
import { estimateTokens } from '../context/tokens';
import type { Role } from '../kinds';
import type { Message } from '../transcript';
import { EASY_SIGNALS, TOOL_DIFFERENCE } from './easySigns';
import { dropQuoted, dropTrailingQuoted } from './quoted';
import { BUG_QUESTION, CJK, HARD_SIGNALS, LIBRARY_COMPLEXITY, MECHANICAL_FIX, SMALL_EXPLAIN } from './signals';

export type RequestKind = 'lookup' | 'writing' | 'coding' | 'reasoning';
export const REQUEST_KINDS: readonly RequestKind[] = ['lookup', 'writing', 'coding', 'reasoning'];

export interface PromptFeatures {
  /** Tokens of the whole request: system prompt and history, ending with the new question. */
  readonly tokens: number;
  /** Tokens of the new question alone. */
  readonly promptTokens: number;
  /** A fenced block, a stack trace or lines that read as source code. */
  readonly code: boolean;
  readonly kind: RequestKind;
  /** Signs that a small model would likely answer badly; `signals` says which. */
  readonly complex: boolean;
  readonly signals: readonly string[];
  /** A clear sign that a small model answers it well, and no sign of a hard request; `easy` says which. */
  readonly simple: boolean;
  readonly easy: readonly string[];
  /** Earlier messages in the conversation. */
  readonly turns: number;
  readonly role: Role;
}

/**
 * Lines that read as source: keywords at a line's start, statements ending in ; { }, arrows, tags, SQL.
 * The indent is taken whole, `(?=(\s*))\1` (a possessive \s*): a plain `^\s*` backtracks through every split of a
 * long indent and tries each alternative at each (100,000 tabs took 72 s); the alternatives no longer repeat `\s*`.
 */
const CODE_LINE =
  /^(?=(\s*))\1(?:(?:export\s+)?(?:async\s+)?(?:function|class|interface|def|fn|func|impl|struct|enum|import|from\s+\S+\s+import|package|public|private|const|let|var|return|if\s*\(|for\s*\(|while\s*\(|#include|SELECT|INSERT|UPDATE|CREATE TABLE)\b.*|.*[;{}]\s*$|.*=>.*|<\/?[a-z][\w-]*(?:\s[^>]*)?>\s*$|at\s+\S+\s+\(.*:\d+:\d+\)\s*$|File ".*", line \d+.*)$/m;

const FENCE = /```|~~~/;

/** Words that make a request a coding one even without code in it. */
const CODING =
  /\b(?:code|function|method|class|bug|compile[sr]?|compiler|typescript|javascript|python|rust|golang|java|c\+\+|sql|regex|regexp|api|endpoint|implement|refactor|unit tests?|stack trace|exception|npm|git|docker|kubernetes|bash|shell script|script|css|html|react|node\.?js|query|schema|database|index(?:es)?|linter?|type error|null pointer|segfault|deadlock\w*|race condition|memory leak|worker pool|thread pool|algorithm|library|framework|dependency|variable|loop|recursion|async|await|promise|thread|mutex|cli|json|yaml|webpack|esbuild|vite|makefile|cmake|cron|props|dockerfile)\b|\b\w+Error\b|\berror TS\d+/i;

/** Verbs and genres of writing: the request is for prose. */
const WRITING =
  /\b(?:write|draft|rewrite|rephrase|reword|edit|proofread|polish|summari[sz]e|summary|tl;?dr|translate|email|e-mail|letter|essay|poem|haiku|story|blog|post|tweet|slogan|tagline|headline|title|caption|cover letter|bio|speech|toast|announcement|newsletter|press release|release notes|changelog entry|description|copy|tone|paragraph|outline|memo|proposal|report|review|apology|thank-you|invitation|limerick|lyrics|script for|pitch|sentence|phrasings?|wording|shorter)\b/i;

/** Reasoning: proofs, puzzles, numbers, plans, trade-offs. */
const REASONING =
  /\b(?:prove|proof|derive|theorem|lemma|puzzle|riddle|probability|odds|expected value|how many|how much|calculate|compute|estimate|solve|equation|integral|derivative|logic(?:al)?|paradox|if\b.*\bthen|should (?:i|we)|trade-?offs?|pros and cons|decide|decision|strategy|plan|optimi[sz]e|schedule|why (?:does|do|is|are|would)|what would happen|compare|versus|vs\.?)\b|\b(?:average|mean|median|prime|bigger|smaller|larger|sort these|how long|power of|if all|per hour|kilometres|litres|percent)\b|\d\s*%|\d\s*(?:minutes|hours|g|km)\b|[=<>≤≥∑∫√^]\s*\d|\d\s*[+\-*/×÷^]\s*\d/i;

/** Words of the request itself: code blocks and quoted material (text to summarize, translate, edit) left out. */
export function instructionText(text: string, dropMaterial = true): string {
  // Quoted after a colon or on a line of its own: "…", “…”, «…», and the 「…」 of Japanese and Chinese (denser: 20+).
  // A text in single quotes that ends the message after the ask's colon or question mark is its material too.
  // (Scanned by ./quoted.ts, not by regular expressions: those rescanned the text from every unclosed quote.)
  let t = dropTrailingQuoted(dropQuoted(text.replace(/```[\s\S]*?(?:```|$)/g, ' ')));
  // "Summarize in one paragraph: <text>": after a transformation's colon comes its material; "Make the headings
  // title case.<blank line><text>": after a mechanical edit's first paragraph, too.
  const m = TRANSFORM_HEAD.exec(t) ?? PARAGRAPH_HEAD.exec(t);
  if (m) t = m[0];
  return dropMaterial ? dropMaterialParagraphs(t) : t;
}

/** The instructions with pasted code or data that has no fence still in: a stack trace there is a fault to find. */
const withUnfencedMaterial = (text: string) => instructionText(text, false);

/**
 * Lines of material pasted without a fence: source code, log records (a timestamp first), CSV rows (three or more
 * short cells), JSON or YAML lines (a brace, a bracket, a quoted or bare key and its value) and SQL clauses.
 */
const MATERIAL_LINE =
  /^\s*(?:\d{4}-\d\d-\d\d[T ]\d|\[?\d\d:\d\d:\d\d|[{}[\]],?$|"[^"]+"\s*:|[\w.-]+:\s+\S.*$|[^,\n]{1,40}(?:,[^,\n]{0,40}){2,}$)|^(?:\t| {2,})\S|^\s*(?:SELECT|FROM|WHERE|AND|OR|JOIN|LEFT JOIN|INNER JOIN|GROUP BY|ORDER BY|HAVING|LIMIT|VALUES|SET)\b/;

/**
 * "What does this return?<blank line><a function without a fence>": a paragraph of two lines or more that is mostly
 * (three in four) pasted code or data is material, not instructions, like a fenced block; the prose around it stays.
 */
function dropMaterialParagraphs(t: string): string {
  const paragraphs = t.split(/\n\s*\n/);
  const isMaterial = (p: string) => {
    const lines = p.split('\n').filter((l) => l.trim() !== '');
    return lines.length >= 2 && lines.filter((l) => CODE_LINE.test(l) || MATERIAL_LINE.test(l)).length >= lines.length * 0.75;
  };
  const prose = paragraphs.filter((p) => !isMaterial(p));
  return prose.length > 0 && prose.length < paragraphs.length ? prose.join('\n\n') : t;
}

/** A transformation of what follows its colon: summarize, translate, proofread, fix the typos, sort, make friendlier. */
const TRANSFORM_HEAD =
  /^\s*(?:please\s+)?(?:(?:can|could|would) you\s+(?:please\s+)?|peux-tu\s+|pouvez-vous\s+|pourrais-tu\s+|kannst du\s+|könnten sie\s+)?(?:summari[sz]e|sum up|translate|proofread|turn (?:these|this|it|into)|shorten|tl;?dr|fix (?:the |my )?(?:typos|grammar|spelling)|correct|sort|alphabeti[sz]e|reformat|format|rephrase|reword|paraphrase|simplify|tighten|make (?:this|it)|rewrite|put (?:this|these|it)|(?:a )?(?:shorter|simpler|clearer|friendlier) version|which of these|traduis\w*|übersetze\w*|corrige\w*|résume\w*|fasse)\b[^:\n]{0,80}[:：]/i;

/**
 * A mechanical edit, a summary or a translation stated in one short paragraph, with its material after a blank line.
 * Generative asks ("turn these notes into a spec") are not in it: their first paragraph may not be all they ask.
 */
const PARAGRAPH_HEAD =
  /^\s*(?:please\s+)?(?:(?:can|could|would) you\s+(?:please\s+)?|peux-tu\s+|pouvez-vous\s+|pourrais-tu\s+|kannst du\s+|könnten sie\s+)?(?:summari[sz]e|sum up|translate|proofread|shorten|fix (?:the |my )?(?:typos|grammar|spelling|indentation|formatting)|correct|sort|alphabeti[sz]e|reformat|format|convert|rename|capitali[sz]e|make (?:this|these|all|every)|put (?:this|these|them|it|the|all)|rewrite this|traduis\w*|übersetze\w*|corrige\w*|résume\w*|fasse)\b[^\n]{0,160}(?=\n\s*\n)/i;

/** Words of instructions from which a request counts as detailed. */
export const DETAILED_WORDS = 24;

/** Words, with letters beyond ASCII (über, café) and, for Chinese and Japanese, two characters to a word. */
const wordCount = (t: string) => (t.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? []).filter((w) => !CJK.test(w)).length + Math.ceil((t.match(new RegExp(CJK, 'gu')) ?? []).length / 2);

/** Several distinct asks in one message: three or more questions, or a list of four or more requirements. */
function manyParts(text: string): boolean {
  const questions = (text.match(/\?(?:\s|$)/g) ?? []).length;
  // [ \t], not \s: under /m, \s would run over every blank line from each line start (quadratic on a long paste).
  const items = (text.match(/^[ \t]*(?:[-*•]|\d+[.)])[ \t]+\S/gm) ?? []).length;
  return questions >= 3 || items >= 4;
}

export function hasCode(text: string): boolean {
  if (FENCE.test(text)) return true;
  // Two code-like lines, not one: a sentence can end in ';' or mention a `function` once.
  const lines = text.split('\n').filter((l) => CODE_LINE.test(l));
  return lines.length >= 2;
}

/** "Write a function / a SQL query / a Dockerfile": a writing verb whose object is code. */
// The spaces are taken whole, `(?=(\s*))\1`: `\s*(?:a|…)?\s*` split a run of spaces every way (quadratic).
const CODE_OBJECT = /^(?:(?=(\s*))\1(?:(?:a|an|the|me|some|this)(?=(\s*))\2)?(?:[\w+#-]+\s+){0,2}(?:function|class|method|script|tests?|unit tests?|query|regex|program|code|component|module|cli|parser|dockerfile|type|types|migration|schema|hook|endpoint|makefile))\b/i;

export function kindOf(text: string, code: boolean): RequestKind {
  // Only the words outside code blocks say what is being asked; the code itself says "coding" by being there.
  const head = text.replace(/```[\s\S]*?(?:```|$)/g, ' ').slice(0, 600);
  const verb = /^\s*(?:please\s+)?(?:can you\s+)?(?:write|draft|rewrite|rephrase|reword|proofread|polish|summari[sz]e|translate|edit|turn these notes|make this (?:sentence|paragraph|email|text))\b/i.exec(head);
  if (verb && !CODE_OBJECT.test(head.slice(verb[0].length))) return 'writing';
  if (code || CODING.test(head)) {
    // "Write the email about a billing bug": prose asked for, whatever it is about.
    const prose = /\b(?:write|draft) (?:the|an?|me an?) (?:email|letter|post|announcement|speech|note|reply|explainer|summary)\b/i.test(head);
    return prose && !code ? 'writing' : 'coding';
  }
  if (REASONING.test(head)) return 'reasoning';
  if (WRITING.test(head)) return 'writing';
  return 'lookup';
}

/**
 * What the patterns read of a question: all of it up to 10,000 characters, else its first 8,000 and last 2,000.
 * The ask is stated at the start (or after a paste, at the end: "… why does this crash?"); the middle of a 2 MB log
 * or a minified bundle adds no instruction words, only time on the host's one thread. Every labelled prompt is under
 * 2,500 characters, so none is cut. Its size still counts whole: tokens and promptTokens come from the full text.
 */
export const READ_HEAD_CHARS = 8_000;
export const READ_TAIL_CHARS = 2_000;
export function readWindow(text: string): string {
  if (text.length <= READ_HEAD_CHARS + READ_TAIL_CHARS) return text;
  // Cut at code point boundaries; a line break between the two pieces, so no pattern reads across the gap as one line.
  const head = text.slice(0, READ_HEAD_CHARS).replace(/[\uD800-\uDBFF]$/, '');
  const tail = text.slice(-READ_TAIL_CHARS).replace(/^[\uDC00-\uDFFF]/, '');
  return `${head}\n${tail}`;
}

/** The features of a request: `history` ends with the new user message. */
export function extractFeatures(history: readonly Message[], opts: { readonly system?: string; readonly role?: Role; readonly model?: string } = {}): PromptFeatures {
  const last = history.at(-1);
  const whole = last?.role === 'user' ? last.text : '';
  const messages = [...(opts.system ? [{ role: 'system', text: opts.system }] : []), ...history];
  // Sizes come from the whole request; the words and patterns below read only a window of the question.
  const tokens = estimateTokens(messages, opts.model);
  const promptTokens = estimateTokens(whole, opts.model);
  const prompt = readWindow(whole);
  const code = hasCode(prompt);
  const kind = kindOf(prompt, code);
  const words = instructionText(prompt);
  const n = wordCount(words);
  // "Explain this one-liner" about a line or two given with it (fenced, or inline in backticks) is a reading: its
  // "explain" is no sign of a hard request. Any other hard word in the request still counts.
  // Only when that ask is all there is (a few words beside it at most: "in plain English"); "explain this regex and
  // whether it can backtrack" asks for more.
  const oneLiner = code ? promptTokens <= ONE_LINER_TOKENS : /`[^`\n]{1,80}`/.test(words);
  const rest = oneLiner ? words.replace(/`[^`\n]*`/g, ' ').replace(SMALL_EXPLAINS, ' ') : words;
  const hardWords = oneLiner && wordCount(rest.replace(LEAD_IN, '')) <= 4 ? rest : words;
  // A textbook fact about named constructs ("difference between let and const in JavaScript", "time complexity of
  // heapq.heappush"), as the whole request: its "difference" weighs no trade-off and its "complexity" asks for no
  // proof. Every other hard sign (a lock, a thread, security) still counts.
  const ask = words.trim().replace(LEAD_IN, '');
  const textbook = TOOL_DIFFERENCE.test(ask) || LIBRARY_COMPLEXITY.test(ask);
  const notHere = textbook ? ['a comparison or trade-off', 'a proof or derivation'] : [];
  const signals = HARD_SIGNALS.filter(([why, re]) => !notHere.includes(why) && re.test(hardWords)).map(([why]) => why);
  // Code to read plus a question about what is wrong with it: finding a fault takes a strong model, however short.
  // ("Fix the indentation" names its edit: no fault to find in that "fix".)
  const bugWords = hardWords === words ? withUnfencedMaterial(prompt) : hardWords;
  if (code && BUG_QUESTION.test(bugWords.replace(MECHANICAL_FIXES, ' '))) signals.unshift('a fault to find in the given code');
  if (manyParts(words)) signals.push('several questions in one');
  // Length of the instructions alone is the strongest simple signal: a request that needs 24+ words to state its
  // constraints is rarely easy (pasted material does not count).
  if (n >= DETAILED_WORDS) signals.push(`a detailed request (${n} words)`);
  // A lot of code to read and change is work for a strong model, whatever the words say.
  if (code && promptTokens >= 900) signals.push('a large piece of code');
  const easy = signals.length > 0 ? [] : easySigns(prompt, words, n, code, promptTokens);
  return { tokens, promptTokens, code, kind, complex: signals.length > 0, signals, simple: easy.length > 0, easy, turns: Math.max(0, history.length - 1), role: opts.role ?? 'general' };
}

/** Pasted material beyond this (words) is no longer "a short text" to summarize or a trivial edit. */
export const SHORT_TEXT_WORDS = 400;
/** Code beyond this (tokens of the whole question) is no trivial edit: renaming in a snippet is; porting a module is not. */
export const SHORT_CODE_TOKENS = 300;

const MECHANICAL_FIXES = new RegExp(MECHANICAL_FIX.source, 'giu');
const SMALL_EXPLAINS = new RegExp(SMALL_EXPLAIN.source, 'giu');
/** A snippet this small (tokens of the whole question) is "a one-liner": a line or two of code. */
export const ONE_LINER_TOKENS = 80;

/** The clear easy signs a request shows (./easySigns.ts); none, and it is not clearly easy. */
function easySigns(prompt: string, words: string, n: number, code: boolean, promptTokens: number): string[] {
  // "Hi! Could you tell me who wrote X?" asks what "Who wrote X?" asks: the lead-in says nothing of difficulty.
  const head = words.trim().replace(LEAD_IN, '');
  const m = wordCount(head);
  const material = Math.max(0, wordCount(prompt) - n);
  if (material > SHORT_TEXT_WORDS) return [];
  // A code block rules a sign out unless it takes one, and then only up to its size (a snippet, not a module).
  const codeOk = (e: (typeof EASY_SIGNALS)[number]) => !code || (e.code === true && promptTokens <= (e.maxCodeTokens ?? SHORT_CODE_TOKENS));
  return EASY_SIGNALS.filter((e) => m <= e.maxWords && codeOk(e) && (!e.material || material >= 15 || code) && e.re.test(head) && !e.unless?.test(head) && !e.materialUnless?.test(prompt)).map((e) => e.why);
}

/** Greetings, politeness and a context prefix ("In Python, ") before the question itself, in the five languages. */
const LEAD_IN =
  /^(?:(?:hi|hey|hello|ok(?:ay)?|so|quick question|question|bonjour|salut|hallo|kurze frage)\b[,:!.]?\s*)*(?:(?:please|kindly)\s+)?(?:(?:can|could|would) you (?:please )?(?:tell me|remind me)?\s*|do you know\s*|i (?:was wondering|wonder|need to know|want to know|would like to know)\s*|tell me\s*|(?:peux-tu|pouvez-vous|pourrais-tu|pourriez-vous) (?:me dire )?|(?:kannst du|können sie|weißt du) (?:mir sagen,? )?|请问)?(?:(?:in|with|using|for) [\w.#+-]+(?: [\w.#+-]+)?, )?/iu;
