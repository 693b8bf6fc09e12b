/**
 * The clear signs of an easy request (read by ./features.ts): the language people use for small, well-bounded asks.
 * A short factual question or attribute lookup, a command or syntax question (also typed telegraphically, "git undo
 * last commit"), a mechanical edit of a given text or snippet (rename, convert, format, add types, a swap), a summary
 * or translation of a short text, simple arithmetic or a unit conversion, a short routine piece of writing, a commit
 * message, a small self-contained snippet or a stock config file, a one-liner to explain, a fact read off the material
 * given, a textbook difference between two constructs of a named language, or a request that itself asks for a short
 * answer (and the small things to work out or read off in ./easyWorkedSigns.ts). Each is a general pattern of how
 * such a request is worded, in English, French, German, Japanese and Chinese, and holds only within a few instruction words
 * (`maxWords`, the lead-in left out), for a small snippet at most, unless its `unless` words (a constraint, a failure,
 * a whole system) say the small ask is a real one, and with no sign of a hard request at all: any hard sign wins
 * (features.ts never reads these when one is there), so an error here costs money, not quality. Accented words and
 * scripts without spaces sit in the `loose` part of `re` (no \b).
 */
import { WORKED_SIGNALS } from './easyWorkedSigns';
import { KEYWORD_DIFFERENCE, re, SMALL_EXPLAIN } from './signals';

export interface EasySign {
  readonly why: string;
  readonly re: RegExp;
  /** The most instruction words (lead-in and pasted material left out) the sign holds for. */
  readonly maxWords: number;
  /** It may carry a code block (a snippet to edit or read); otherwise a code block rules it out. */
  readonly code?: boolean;
  /** With `code`: the most tokens the whole question may have (default: features.ts's SHORT_CODE_TOKENS). */
  readonly maxCodeTokens?: number;
  /** It needs material to act on (15 words or more pasted, or a code block): a summary of nothing is not a summary. */
  readonly material?: boolean;
  /** Words that rule the sign out even with no hard sign: a telegraphic question may hide a deep one. */
  readonly unless?: RegExp;
  /** Words anywhere in the request, pasted code included, that rule it out: a snippet's output hangs on its timing. */
  readonly materialUnless?: RegExp;
}

/** Names of everyday languages and tools, for "python: …", "git undo …", "a bash one-liner". */
export const TOOLS =
  'git|cron|crontab|npm|npx|yarn|pnpm|node|deno|bun|docker|kubectl|helm|bash|zsh|shell|powershell|linux|ubuntu|macos|mac|windows|vim|neovim|emacs|vscode|vs code|sql|postgres(?:ql)?|mysql|sqlite|redis|mongo(?:db)?|python|pip|js|javascript|ts|typescript|go(?! (?:ahead|through|over|back|on|to)\\b)|golang|rust|cargo|java|kotlin|swift|ruby|php|css|html|react|vue|regex|jq|sed|awk|grep|curl|ssh|tmux|brew|gradle|maven|excel|markdown|yaml|json';

/**
 * A textbook difference between two named constructs of a language or tool named with them, as the whole request:
 * "difference between let and const in JavaScript?". features.ts reads no trade-off in it (other hard words count).
 */
export const TOOL_DIFFERENCE = new RegExp(`^(?=[\\s\\S]*\\b(?:${TOOLS})\\b)${KEYWORD_DIFFERENCE.source.slice(1)}`, 'iu');

/**
 * Words that make a small ask a real one: a constraint to meet (without X, correctly, efficiently, at scale, exactly,
 * huge inputs) or a failure to diagnose (an error, a hang, "keeps restarting"). They rule out the signs a short,
 * telegraphic or snippet request would otherwise show ("without modifying the original" is no such constraint;
 * "without using a library" is); the request goes to a medium model instead.
 */
const CONSTRAINED = re(
  'without (?:using|any|extra|additional|built-?ins?|librar\\w*|recursion|loops?|window|locks?|allocat\\w*|a |an )|correctly|handles?|handling|efficient\\w*|optimal\\w*|robust\\w*|production|at scale|huge|massive|\\d+ ?(?:gb|tb|million|billion)|millions|billions|running out|arbitrary|deeply|any (?:number|depth|size)|guarantee\\w*|exactly|in place|zero-copy|errors?|fails?|failing|failed|broken|bugs?|crash\\w*|wrong|doesn\'t|does not|won\'t|can\'t|cannot|unable|not working|hangs?|stuck|keeps|slow|leaks?|killed|oom|timeouts?|timing out|refused|denied|exit code|restarting',
  'sans |ohne |エラー|错误|报错|失败|失敗'
);

/** What a prose edit may be asked to keep: its length, tone, meaning or form ("but keep it short"). */
const PROSE_QUALITY =
  '(?:it |them |the |its |my |this )?(?:same |original )?(?:short|shorter|brief|concise|friendly|casual|polite|simple|informal|light|tone|meaning|style|voice|length|wording|register|format(?:ting)?|structure|paragraphs|line breaks|emojis|markdown)\\b';

/** A whole system as the object ("rewrite our backend in go"): no small, bounded ask, however few the words. */
const SCOPE = 'our|we|codebase|backend|frontend|services?|system|application|project|monorepo|infra\\w*|stack|cluster|platform|product|architecture';

/** Data formats and code styles one is converted to another: "json to yaml", "callbacks to async/await". */
const FORMATS =
  'json|yaml|yml|toml|xml|csv|tsv|markdown|md|html|ini|env|sql|js|javascript|ts|typescript|python|py|es ?modules?|esm|commonjs|cjs|callbacks?|promises?|async/await|arrow functions?|f-strings?|template literals?|hex|rgb|hsl|unix time|timestamp|iso ?8601|utc';

export const EASY_SIGNALS: readonly EasySign[] = [
  {
    why: 'a short factual question',
    re: re(
      // Question words at the start, and "define"/"name"/"list": a question with one short answer.
      '^(?:what|who|whom|when|where|which|how (?:many|much|long|old|far|tall|big|high|heavy)|is|are|was|were|does|did|define|name|list)|^what(?:\'s| is| are| was) (?:the|a|an)|^(?:qu\'est-ce|quel(?:le)?s? (?:est|sont)|qui|quand|où|combien)|^(?:was (?:ist|sind|bedeutet|heißt)|wer|wann|wo|wie viele?|welche[rsnm]?)' +
        // A telegraphic lookup of a default, a limit or a version: "default postgres port?", "max length of a tweet".
        '|^(?:the )?(?:default|standard|usual|max(?:imum)?|min(?:imum)?|latest|current|stable) [\\w.#+-]+(?: [\\w.#+-]+){0,5}',
      'とは|は何|は誰|はいつ|はどこ|いくつ|何年|何(?:回|個|人|日|時|歳)|哪里|哪个|哪儿|哪一|是什么|什么是|多少|几[次个年天点岁种]|是谁|谁是'
    ),
    maxWords: 16,
  },
  {
    // An attribute of a named thing, or a word's meaning, in a few words: "capital of Peru?", "plural of index".
    // (The complexity of a named library call only: of anything else it is a proof sign, which wins; see features.ts.)
    why: 'a short attribute lookup',
    re: re('^(?:the )?(?:capital|population|author|inventor|creator|founder|height|length|size|area|boiling point|melting point|release date|birthday|meaning|definition|plural|past tense|synonyms?|antonyms?|opposite|abbreviation|acronym|full form|(?:average |worst-case )?(?:time |space )?complexity) (?:of|for)'),
    maxWords: 8,
    // A second ask ("… and its current status") or a big question in a small phrase is not one lookup.
    unless: re('and|history|status|life|universe|existence|consciousness'),
  },
  {
    why: 'a syntax or command question',
    re: re(
      '^(?:(?:in|with|using) [\\w.#+-]+, |[\\w.#+-]+: )?(?:how (?:do|can|should) (?:i|you|we)|how to|what(?:\'s| is) the (?:command|syntax|shortcut|keyboard shortcut|flag|option|regex|cron expression|default|git command|equivalent)|what does .{1,60} (?:do|mean|stand for|return)|which (?:css |html )?(?:property|command|flag|option|function|method|package|keyword|operator))' +
        // "bash one liner: …", "sql query to …", "jq expression for …": a named tool and the one small thing asked of it.
        `|^(?:an? )?(?:${TOOLS}|[\\w.#+-]+:) (?:one[- ]?liner|command|expression|query|regex|snippet|syntax|alias|equivalent)|^(?:an? )?(?:${TOOLS}) (?:for|to)` +
        // "the shortcut for …", "a flag to …", anywhere in a short request: the name of one command, key or option.
        '|\\b(?:shortcut|keybinding|key binding|hotkey|keyboard shortcut|command|cli flag|flag|option|syntax|setting|status code|exit code|error code|file extension|mime type|content type|html entity|unicode|char code|escape sequence) (?:for|to)|^(?:comment (?:faire|puis-je|on|je|\\S+(?:er|ir|re))|wie (?:\\S+ ){0,2}ich)',
      'どうやって|する方法|方法は|やり方|にはどうすれば|如何|怎么|怎樣|コマンドは|のコマンド|ショートカット|の書き方|構文は|やり方は|命令是|的命令|快捷键|怎么写|语法是|raccourci (?:pour|clavier)|commande pour|tastenkürzel|befehl (?:für|zum)'
    ),
    maxWords: 20,
    unless: CONSTRAINED,
  },
  {
    // A telegraphic how-to led by the tool it is about, as typed into a search box: "go check if key exists in map",
    // "python current unix timestamp in milliseconds", "git undo last commit but keep the changes".
    why: 'a short how-to about a named tool',
    re: new RegExp(`${re(`^(?:${TOOLS})[:,]? (?:\\w+ )*\\w+`).source}|^(?!(?:how|what|which|who|when|where|why|is|are|can|could|does|do|should)\\b)(?:[\\w.#+/-]+ ){1,5}(?:${TOOLS})(?: [\\w.#+/-]+){0,4}\\s*\\??\\s*$`, 'iu'),
    maxWords: 10,
    // A failure to diagnose, or how a thing works inside (its internals, semantics, guarantees), is no lookup.
    unless: new RegExp(`${CONSTRAINED.source}|${re(`${SCOPE}|internals|under the hood|semantics|impact|soundness|lifetimes?|borrow\\w*|ownership|variance|generics|type-level|conditional types?|mapped types?|memory|gc|garbage`).source}`, 'iu'),
  },
  {
    why: 'a trivial transform of given text',
    re: re(
      '^(?:please |can you |could you )?(?:proofread|fix (?:the |my |these )?(?:typos?|grammar|spelling|punctuation|indentation|formatting|whitespace|casing)|correct (?:the |my )?(?:typos?|grammar|spelling)|translate|rename|convert|reformat|format|sort|alphabeti[sz]e|capitali[sz]e|lowercase|uppercase|shorten|rewrite (?:(?:this|these|it|the|my)(?: \\w+){0,2}? )?(?:to|so|in|as|for|into|without|more|less)|rephrase|reword|paraphrase|simplify (?:this|the|my) (?:\\w+ )?(?:wording|sentence|text|paragraph|phrasing|language)|simplify|tighten|clean up (?:the |my |this )?(?:wording|phrasing|text|formatting)|turn (?:(?:this|these|it|the following) )?(?:notes |list |text )?into|(?:put|format|present|list) (?:(?:this|these|it|them) )?(?:as|into|in) (?:bullet points|bullets|a (?:bulleted |numbered )?list|a table|markdown|csv|json|yaml)|(?:a )?(?:shorter|simpler|clearer|friendlier|nicer|more formal|more casual|politer) (?:version|way to say|wording)|extract (?:the|all)|list the|give me (?:\\w+ ){0,2}(?:alternative |other )?(?:phrasings|ways to say|synonyms))' +
        // Make a given text more or less of a plain quality of prose: "make this more concise", "make it friendlier".
        // "make it sound less robotic", "make this a one-liner": a tone to take, or a small form for a snippet.
        '|^(?:please |can you |could you )?make (?:this|it|these|the)(?: \\w+){0,2}? (?:sound|read) (?:more |less |a bit |like )?\\w+|^(?:please |can you |could you )?make (?:this|it) (?:an? )?(?:one-?liner|arrow function|ternary|list comprehension|f-string|template literal|const)' +
        // A format converted to another, telegraphically: "json to yaml", "callbacks to async/await"; a language's word for a phrase.
        `|^(?:${FORMATS}) (?:to|->|→|into) (?:${FORMATS})|^(?:the )?(?:english|spanish|french|german|italian|portuguese|japanese|chinese|mandarin|korean|russian|arabic|hindi|dutch|polish|swedish|turkish|greek|latin) (?:for|word for|translation of)` +
        '|^(?:please |can you |could you )?make (?:this|it|these|the)(?: \\w+){0,2}? (?:a (?:bit|little) |slightly |much )?(?:more |less )?(?:concise|succinct|brief|shorter|formal|casual|polite|politer|friendly|friendlier|professional|readable|clear|clearer|simple|simpler|direct|neutral|positive|upbeat|diplomatic|natural|idiomatic|polished|wordy|technical|jargon-free)' +
        // Add a small mechanical piece to a snippet: a docstring, type annotations, comments, trailing commas.
        '|^(?:please |can you |could you )?add (?:an? |the |some |missing )?(?:[\\w-]+ )?(?:type annotations?|types?|type hints?|comments?|docstrings?|jsdoc|tsdoc|semicolons?|trailing commas?|return types?|license header)' +
        // Change the case of names or headings: "make all the headings title case", "convert these keys to snake_case".
        '|^(?:please |can you |could you )?(?:make|put|convert|change|turn)\\b.{0,60}\\b(?:title|sentence|upper|lower|camel|snake|kebab|pascal)[ _-]?case|^(?:title|sentence|camel|snake|kebab|pascal)[ _-]?case (?:these|this|the|all|every|each)' +
        // The same mechanical edits in French and German: rename, convert, format, sort, replace, add types or comments.
        '|^(?:renomme[zr]?|convertis|convertissez|formate[zr]?|trie[zr]?|remplace[zr]?|ajoute[zr]? (?:des |les )?(?:types|commentaires))|^(?:benenne|nenne) .{1,60} um|^(?:konvertiere|wandle|formatiere|sortiere|ersetze|füge (?:typen|kommentare))' +
        '|^(?:traduis|traduire|traduisez|corrige[zr]?|reformule[zr]?|korrigiere\\w*|formuliere)|^mach (?:das|den|die|diese[nrs]?|es) (?:\\S+ )?(?:kürzer|freundlicher|formeller|höflicher|klarer|einfacher)',
      '^übersetze|^füge (?:typen|kommentare)|型を付けて|型注釈|名前を変えて|リネーム|に変換して|に書き換えて|整形して|並べ替えて|コメントを追加|改成|改为|转换成|转成|重命名|格式化|加上类型|添加注释|加注释|翻訳|訳して|校正|直して|丁寧に|敬語に|簡潔に|短くして|書き直して|翻译|翻譯|改写|纠正|校对|润色|改得更|改成更|写得更|^rend(?:s|ez) (?:ce|cette|le|la|les) \\S+ plus'
    ),
    maxWords: 20,
    code: true,
    // A conversion bound to keep behaviour, semantics or complexity is a port to reason about, not an edit.
    // Keeping a quality of the prose ("but keep it short", "sans changer le style") is part of an edit, not a port.
    unless: re(
      `but also|(?:but (?:keep|preserve|make sure|ensure)|while (?:keeping|preserving)|without (?:changing|breaking|losing|altering))(?! ${PROSE_QUALITY})|keep(?:ing)? (?:the )?(?:same |identical )?(?:behaviou?r|semantics|complexity|performance)|semantics|semantically|identical|preserv\\w*|equivalent behaviou?r|complexity`,
      "sans changer(?! (?:le |la |les |l'|son |sa )?(?:style|sens|ton|fond|format|mise en forme|texte))|ohne (?:das |die )?(?:verhalten|semantik)"
    ),
  },
  {
    // Swap one name, keyword or value for another throughout the given snippet or text: "change var to let".
    why: 'a replacement in the given text',
    // The whole instruction is the swap (a few tokens each side, "everywhere" at most): "switch the loop to backoff
    // with jitter" asks for new behaviour, not a swap.
    re: /^(?:please |can you |could you )?(?:change|replace|swap|switch) (?:all |every |each |the )*(?:[\w.#+/'"`-]+ ){1,3}?(?:to|into|with|for|by)(?: [\w.#+/'"`()-]+){1,2}(?: (?:everywhere|throughout|where possible|in (?:this|the) \w+|please|pls))*[\s.!?]*$/iu,
    maxWords: 16,
    code: true,
    material: true,
  },
  {
    why: 'a summary of a short text',
    re: re('^(?:please )?(?:summari[sz]e|sum up|tl;?dr|give me the gist)|^(?:résume[zr]?|fasse? .{0,40}zusammen|zusammenfassen)', '要約|总结|概括|總結'),
    maxWords: 20,
    material: true,
  },
  {
    // Numbers and a question on them, the question first or after one sentence of givens; or a unit to convert to.
    why: 'simple arithmetic',
    re: /^(?=[\s\S]*\d)(?:[^.?!\n]{0,120}[.!;]\s+)?(?:what is|what's|how (?:many|much|long)|if |convert|calculate|compute|round|add|subtract|multiply|divide|which is (?:bigger|larger|smaller)|is \d+ (?:a )?prime|sort these numbers|a recipe|my \w+ (?:leaves|arrives|starts)|i have|i leave|\d|combien (?:font|fait)|wie viel (?:ist|sind)|(?:the )?(?:sum|product|average|mean|total|square root|cube root|sqrt|half|double|a third|a quarter) of)|\d\s*(?:[a-z°]+\s+)?(?:in|to|into|en|auf) (?:decimal|hex(?:adecimal)?|binary|octal|celsius|fahrenheit|kelvin|km|kilomet(?:er|re)s|miles|met(?:er|re)s|feet|inches|cm|kg|pounds|lbs|grams|ounces|lit(?:er|re)s|gallons|seconds|minutes|hours|days|bytes|kb|mb|gb|kib|mib|gib|utc|dollars|euros)\b/iu,
    maxWords: 22,
    // A series, a sequence or a formula in n is mathematics, not arithmetic.
    unless: re('series|sequences?|infinit\\w*|n'),
  },
  {
    why: 'a short routine piece of writing',
    re: re(
      '^(?:please |can you |could you )?(?:write|draft|compose|give me|suggest|come up with|an?)\\b[^.?!:\\n]{0,40}?\\b(?:tweet|haiku|limerick|slogan|tagline|titles?|title ideas|names?|commit message|commit msg|slack message|message|msg|dm|email|e-mail|note|thank-you note|reply|bio|caption|headline|out-of-office(?: reply)?|release notes? (?:bullet|entry|line)|product description|birthday (?:message|card)|reminder|invitation)' +
        // The genre first, then whom or what it is for: "short thank-you note to a colleague who …", "slack message telling …".
        '|^(?:an? )?(?:(?:short|quick|brief|friendly|polite|formal|casual|nice|funny) )*(?:tweet|haiku|limerick|slogan|tagline|message|slack message|msg|slack msg|dm|email|e-mail|note|thank-you note|reply|bio|caption|headline|reminder|invitation|out[- ]of[- ]office(?: reply| message)?|toast)(?: (?:to|for|about|telling|saying|asking|announcing|inviting|thanking|reminding|on)|(?=[,:]))' +
        '|^(?:schreib\\w*|verfasse) (?:mir )?(?:bitte )?(?:eine?n? )?(?:kurze[n]? )?\\S*(?:tweet|mail|nachricht|notiz|antwort|slogan|einladung)',
      '^(?:écri[st]|rédige)\\S* (?:moi )?(?:une? )?(?:court |courte |petit |petite )?(?:tweet|e-mail|mail|message|note|réponse|slogan|invitation)|ツイートを|キャッチコピー|お礼のメール|写一(?:条|封|句)|写个(?:标题|口号)'
    ),
    maxWords: 30,
  },
  {
    // A commit message, PR title or changelog line for the (small) change given, or named in a few words.
    why: 'a title or commit message for a small change',
    re: re(
      '^(?:please |can you |could you )?(?:write |give me |suggest |draft )?(?:an? |the )?(?:good |short |concise )?(?:commit (?:message|msg)|pr (?:title|description)|pull request (?:title|description)|changelog (?:entry|line)|release note|subject line)s?(?: for| about| on|\\?|$)',
      'コミットメッセージ|提交信息|commit-nachricht|message de commit'
    ),
    maxWords: 20,
    code: true,
  },
  {
    why: 'a small self-contained snippet',
    re: re(
      '^(?:please |can you |could you )?(?:write|give me|show me) (?:me )?(?:an? |the )?(?:[\\w.#+:-]+ ){0,3}(?:function|func|fn|helper|method|script|regex|regexp|regular expression|query|one[- ]?liner|dockerfile|unit test|test|makefile|cron expression|command|alias|snippet|type|interface|enum)' +
        // A language and the small artifact asked of it: "typescript type for a …", "python function that …".
        `|^(?:an? )?(?:${TOOLS}) (?:function|regex|query|script|snippet|one-liner|command|alias) (?:for|that|to|which)` +
        // "a minimal go http server", "a basic express app": the smallest working example of a common thing.
        '|^(?:please |can you |could you )?(?:write|give me|show me|make|create) (?:me )?(?:an? |the )?(?:minimal|tiny|small|simple|basic|quick|bare-?bones|hello[- ]world|sample|example|starter) (?:[\\w.#+/-]+ ){0,3}(?:server|app|page|component|form|cli|script|example|project|config|setup|test|workflow|endpoint|api|handler|route|html page|landing page)' +
        '|^(?:schreib\\w*|gib) (?:mir )?(?:bitte )?(?:eine?n? )?(?:kleine[n]? )?(?:\\S+ )?(?:\\S+-)?(?:funktion|skript|regex|abfrage|methode)',
      '^(?:écri[st]\\S*|donne-moi) (?:moi )?(?:une? )?(?:petite? )?(?:\\S+ )?(?:fonction|script|regex|requête)|(?:関数|スクリプト|正規表現|クエリ|ワンライナー)を(?:書いて|作って)|写(?:一个|个)?.{0,12}(?:函数|脚本|正则)'
    ),
    maxWords: 22,
    unless: CONSTRAINED,
  },
  {
    // The reading of a line or two given with it (fenced, or inline in backticks): "explain this one-liner", "what does
    // this regex match". features.ts drops "explain" from the hard signs for such a small snippet only.
    why: 'a one-liner to explain',
    re: new RegExp(`^(?:please |can you |could you )?(?:${SMALL_EXPLAIN.source})`, 'iu'),
    maxWords: 14,
    code: true,
    maxCodeTokens: 80,
  },
  {
    // A stock configuration file for a named stack: ".gitignore for a node project", "tsconfig for a library".
    why: 'a stock config file',
    re: /^(?:(?:please )?(?:write|give me|generate|create|make) (?:me )?)?(?:an? |the )?(?:\.?gitignore|\.?editorconfig|\.?prettierrc|\.?eslintrc|\.?npmrc|\.?nvmrc|\.?dockerignore|\.?gitattributes|tsconfig(?:\.json)?|jsconfig(?:\.json)?|package\.json|dockerfile|docker-compose(?:\.ya?ml)?|makefile|github actions? workflow|ci workflow|license file|mit license)(?![\w.])/iu,
    maxWords: 16,
  },
  {
    // One fact to read off the material given (a config, a log, a CSV, a response): "what version of X does this use?",
    // "what's the header of the 3rd column in this csv?". Reading, not reasoning: "what does this do" is not one.
    why: 'a fact to read off the given material',
    re: re(
      '^(?:what|which|where|list|extract|name)\\b(?!(?:\'s| is| are| was) (?:this|these|that|it)\\b| (?:does|do|did|will|would|happens|is wrong|is the (?:problem|issue|bug|cause)|(?:one )?of (?:these|the|this))\\b).{0,80}\\b(?:this|these|here|above|below|attached|following)' +
        '|^(?:quel(?:le)?s? (?:est|sont)|où) .{0,60}\\b(?:ce|cette|ces|ci-dessous|ci-dessus)|^(?:was|welche[rsnm]?|wo|wie viele?) .{0,60}\\b(?:diese[rsnm]?|hier|unten|oben)',
      '(?:この|以下の|上記の).{0,30}(?:は何|はいくつ|はどれ|はいつ)|(?:这个|这段|以下|上面).{0,30}(?:是什么|是多少|是哪)'
    ),
    maxWords: 20,
    code: true,
    maxCodeTokens: 500,
    // What code prints, returns or in which order it runs is to be worked out, not read off; so is a judgement on it.
    unless: re('output|outputs|print\\w*|logs?|order|returns?|evaluat\\w*|happens|runs?|affected|compatible|safe|deprecated'),
  },
  {
    // The request itself asks for a short answer: "quick answer", "true or false:", "just the name", "yes or no".
    why: 'a short answer asked for',
    re: re(
      '(?:quick|short|brief|one-word|one word|simple) answer|in (?:one|a single) word|yes or no|true or false|just the (?:name|number|value|command|answer|result|word|date|line|code)|réponse courte|en un mot|oui ou non|vrai ou faux|kurze antwort|ja oder nein|wahr oder falsch',
      '一言で|はいかいいえ|简短回答|一句话回答|是或否|对还是错'
    ),
    maxWords: 20,
  },
  // "list vs tuple in python?": the textbook difference of two constructs, with the language named (TOOL_DIFFERENCE).
  { why: 'a textbook difference between named constructs', re: TOOL_DIFFERENCE, maxWords: 14 },
  // Small things to work out or read off: ./easyWorkedSigns.ts.
  ...WORKED_SIGNALS,
];
