/**
 * More clear signs of an easy request (read with ./easySigns.ts, same shape and rules): small things to work out or
 * read off, where the words of the request bound the work. What a short snippet returns for a given input, a clock
 * time or a time zone to work out, a one-step syllogism, a named value to read off pasted material, and a small
 * change (sort, limit) to a given query. Each holds only with no hard sign at all (features.ts never reads these
 * when one is there), so an error here costs money, not quality.
 */
import type { EasySign } from './easySigns';
import { re } from './signals';

export const WORKED_SIGNALS: readonly EasySign[] = [
  {
    // "What does this return if items is empty?", "which branch runs for f(12)?": tracing a short, plain snippet.
    why: 'the result of a short snippet',
    re: re(
      '(?:what|which)\\b.{0,40}\\b(?:does|do|will|would) (?:this|it|these|that|the (?:code|function|snippet|script|program|loop|call|query))(?: \\w+){0,2}? (?:print|output|return|log|evaluate to|produce|give)|what(?:\'s| is| gets) (?:returned|printed|logged|the (?:output|result|return value))|which (?:branch|case|path) (?:runs|is taken|executes|is hit)',
      '(?:何が|何を)(?:返|出力|表示)|(?:返回|输出|打印)(?:什么|多少)|que (?:retourne|renvoie|affiche)|was (?:gibt|liefert) .{0,30}(?:zurück|aus)'
    ),
    maxWords: 20,
    code: true,
    // The order of events, a "why", or a trap (undefined behaviour, precision) asks for more than a trace.
    unless: re('order|first|why|exact\\w*|sometimes|different|differs?|depend\\w*|-o\\d|compiler|optimi\\w*'),
    // Code whose result depends on timing, threads, memory or floating point is worked out by a strong model; so is
    // a language gotcha: coercion (`[] + {}`, loose ==), a built-in given extra arguments (`.map(parseInt)`), the
    // default string sort of numbers, a mutable default argument, late-bound closures in a loop.
    // (A parameter list is read up to 400 characters: unbounded, every unclosed `def f(` read on to the text's end.)
    materialUnless: re(
      'settimeout|setinterval|setimmediate|nexttick|queuemicrotask|promise|async|await|yield|threads?|goroutines?|go func|chan|volatile|atomic\\w*|unsafe|malloc|#include|reinterpret_cast|union|float|double|nan|__\\w+__|metaclass|nonlocal|global|prototype|weakref|gc|typeof|lambda|closures?',
      'free\\(|bind\\(|0\\.1|\\.(?:map|filter|reduce|sort|forEach|flatMap)\\((?:parseInt|parseFloat|Number|String|Boolean)\\)|\\[[\\d\\s,.-]+\\]\\.sort\\(\\)|(?:\\[\\]|\\{\\})\\s*[+-]|[+-]\\s*(?:\\[\\]|\\{\\})|(?<![=!])==(?!=)|def \\w+\\([^)]{0,400}=\\s*(?:\\[\\]|\\{\\})|for\\s*\\(\\s*var\\b'
    ),
  },
  {
    // A clock time plus a duration, or one time zone to another: "leaves 3:40pm, takes 2h 35m, when does it arrive?".
    why: 'a clock time or time zone to work out',
    // Anchored at ^: unanchored, each start position rescanned the rest of the text twice (quadratic: 30,000 lines of
    // "- " took 111 s). Both parts look anywhere after the start, so the first position decides as well as any.
    re: new RegExp(
      `^(?=[\\s\\S]*(?:\\b\\d{1,2}(?::\\d\\d)? ?(?:am|pm)\\b|\\b\\d{1,2}:\\d\\d\\b|\\b\\d{1,2} ?h(?:ours?)?\\b|\\d{1,2}時|\\d{1,2}点))[\\s\\S]*(?:${re('what time|when (?:does|do|will|is|would)|what(?:\'s| is) (?:that|it|this) in|in (?:utc|gmt|[a-z]{2,4}t|\\w+ time)|time (?:difference|in)|quelle heure|wie spät|um wie viel uhr').source}|何時に|何時です|几点)`,
      'iu'
    ),
    maxWords: 22,
    // Daylight saving, calendars, working days and overtaking trains are puzzles, not a sum.
    unless: re('daylight|dst|summer time|leap|calendar|business days|working days|holidays?|cron|catch(?:es)? up|overtakes?|meet|relative|faster|slower'),
  },
  {
    // "If all A are B and all B are C, are all A C?": one step of the plainest syllogism, in a short question.
    why: 'a one-step syllogism',
    re: re('^(?:if )?(?:all|every) \\w+ (?:are|is) \\w+,? (?:and|&) (?:all|every) \\w+ (?:are|is) \\w+,? (?:then )?(?:are|is|must|does|can)'),
    maxWords: 22,
    unless: re('some|not|no|none|only|except|probably|likely'),
  },
  {
    // A named key, setting or version read off the config, log or table pasted with it: "what's the value of x.y?".
    why: 'a named value to read off the given material',
    re: re('^(?:what(?:\'s| is| are)|which|where(?:\'s| is)|find|give me|tell me) (?:the )?(?:value|values|setting|version|port|host|name|type|default|key|field|path|timeout|url|status|id) (?:of|for|in|is set)'),
    maxWords: 20,
    code: true,
    maxCodeTokens: 500,
    material: true,
    unless: re('output|print\\w*|returns?|evaluat\\w*|happens|runs?|affected|compatible|safe|deprecated|should|best'),
  },
  {
    // Sort, limit or filter the small query given: "order it by created_at, newest first, top 10 only".
    why: 'a small change to a given query',
    re: re(
      '(?:sort|order) (?:it |them |the (?:results?|rows|output) )?by|order by|(?:only )?(?:return|show|keep|take|get) (?:only )?(?:the )?(?:top|first|last|latest|newest|oldest) \\d+|limit (?:it |the results )?to \\d+|add (?:a |an )?(?:where|order by|limit|group by|filter)',
      '順に並べ|並べ替え|並び替え|上位\\d+件|按.{1,20}排序|前\\d+(?:条|行)|trie[rz]? par|sortiere nach'
    ),
    maxWords: 24,
    code: true,
    maxCodeTokens: 150,
    unless: re('index\\w*|fast\\w*|slow\\w*|perform\\w*|window|recursive|joins?|errors?|fails?|wrong|dedup\\w*|duplicates?|pagina\\w*|cursor'),
  },
];
