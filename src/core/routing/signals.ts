/**
 * The vocabulary the router's features read (./features.ts): signs that a request is hard, and the few clear signs
 * that it is easy (those in ./easySigns.ts). Written as broad classes of words (what a request asks for: why, a
 * proof, a trade-off, a review, a design; what it is about: concurrency, security, performance), not as phrases of
 * any one prompt set, so they hold on prompts nobody tuned them on. English first, then French, German, Japanese and Chinese: a request in
 * another language must not look "short and plain" just because no English word matched. Words with accents or in
 * scripts without spaces sit in the `loose` part, matched without word boundaries (\b knows only ASCII letters).
 */

export const re = (words: string, loose?: string): RegExp => new RegExp(`\\b(?:${words})\\b${loose ? `|${loose}` : ''}`, 'iu');

/** Signs of a hard request, each with the words it is explained by. Ordered: the first few that match are shown. */
export const HARD_SIGNALS: ReadonlyArray<readonly [string, RegExp]> = [
  ['a proof or derivation', re(
    'prove|proof|proofs|derive|derivation|formally|rigorous(?:ly)?|invariants?|induction|theorem|lemma|big-?o|o\\([^)]{1,12}\\)|in (?:constant|linear|logarithmic) (?:time|space)|in (?:konstanter|linearer|logarithmischer) (?:zeit|laufzeit)|time complexity|space complexity|amortized|is it (?:possible|true|always)|impossible|infinitely many|for (?:all|every|any) (?:n|integers?|x|k)|beweis\\w*|herleiten|prouver|preuve',
    'démontr|démonstration|en temps (?:constant|linéaire|logarithmique)|証明|证明|推导|導出|線形時間|计算量|計算量|复杂度|线性时间'
  )],
  ['an explanation asked for', re(
    'why|explain\\w*|how (?:does|do|did|is|are|would|could|can) .{1,80}\\b(?:work|happen|differ|affect|cause|fail|break|scale)|how (?:it|they|this|that) (?:works?|behaves?|happens|differs?|scales?|fails?)|what (?:causes|caused|happens|happened|would happen|makes|made)|what(?:\'s| is) (?:wrong|the reason)|reasons? (?:for|behind)|intuition|significance|consequences|implications|pourquoi|expliqu\\w*|comment fonctionne|warum|wieso|weshalb|erkl\\w*|wie funktioniert',
    'なぜ|どうして|説明して|仕組み|原因|理由を|为什么|為什麼|解释|解釋|原理|怎么回事'
  )],
  // 比较 alone is also the adverb "rather" (比较简单) and a count of comparisons (比较几次): as a sign, with its two objects.
  ['a comparison or trade-off', re(
    'trade-?offs?|pros and cons|should (?:i|we|you|they|a|an|the|my|our)|which (?:is|would be|one is) (?:better|best|faster|safer)|better (?:to|for|than)|worth it|compar\\w*|versus|vs\\.?(?! ?code\\b)|differ|differs|differen\\w*|distinguish|weigh\\w*|choose between|instead of|best (?:way|practice|approach|option)|risks?|decide|decision|recommend\\w*|compromis|avantages et inconvénients|devrais|faut-il|comparer|vergleich\\w*|unterschied\\w*|abwägung|sollte[nr]? (?:ich|wir)',
    'Vor- und Nachteile|différence|トレードオフ|比較|違い|べきか|メリット|权衡|利弊|比较一下|比较.{1,30}(?:和|与|跟)|(?:和|与|跟).{1,30}(?:比较|对比|相比)|对比|相比|哪个更|区别|區別|应该'
  )],
  ['a review or critique', re(
    'review (?:this|my|our|the)|critique|audit|assess\\w*|evaluate\\w*|is (?:this|it|the|my|our) (?:\\w+ ){0,3}(?:correct|valid|sound|safe|secure|trustworthy|right)|find (?:the |any |all )?(?:bugs?|issues|problems|flaws|mistakes)|what(?:\'s| is) wrong|poke holes|weakness\\w*|strengths|limitations|flaws|critically|fallac\\w*|steelman|counter-?arguments?|edge cases|failure modes|überprüf\\w*|bewerte\\w*|critiquer',
    'évaluer|レビュー|評価|何が問題|どこが(?:間違|おかしい)|审查|评审|评估|審查|有什么问题|哪里有问题|有什麼問題'
  )],
  ['design or architecture', re(
    'design (?:a|an|the|our|my)|designing|architect\\w*|system design|scal(?:e|able|ability|ing)|distributed|sharding|shards?|replication|consensus|multi-tenant|migrat\\w*|roadmap|threat model|high availability|fault[- ]toleran\\w*|\\d+k? (?:requests|writes|reads|queries|users|messages|events) (?:per|a|/) ?(?:second|sec|s|minute|day)|rps|qps|concevoir|conception|entwerfen|entwurf|architektur|skalier\\w*',
    '設計|アーキテクチャ|スケール|设计|架构|擴展|扩展性|分布式|分散'
  )],
  ['debugging a subtle fault', re(
    'race(?:s| conditions?)?|deadlock\\w*|livelock\\w*|memory leaks?|leak(?:s|ing)? memory|heisenbug|intermittent(?:ly)?|flaky|root cause|only (?:in|on) production|(?:sometimes|occasionally|randomly) (?:fails|hangs|returns|crashes|loses|drops|processes|duplicates|times out)|corrupt\\w*|segfaults?|undefined behaviou?r|use-after-free|data races?|p\\d\\d|regression|loops? forever|infinite loop|hangs|interblocage|verklemmung',
    'speicherleck|fuite mémoire|fuites? de mémoire|デッドロック|競合状態|無限ループ|メモリリーク|死锁|死鎖|竞态|競態|内存泄漏|死循环|无限循环'
  )],
  ['concurrency or security', re(
    'concurren\\w*|parallel(?:ism|ize|ise)?|lock-?free|atomic\\w*|memory (?:ordering|orders?|model)|orderings?|thread-?safe|threads?|multithread\\w*|mutex\\w*|semaphores?|locks?|locking|goroutines?|vulnerab\\w*|exploit\\w*|attacks?|attackers?|replay|injection|xss|csrf|ssrf|cryptograph\\w*|side-?channel|encrypt\\w*|decrypt\\w*|attestation|oauth|jwt|authentication|authorization|secur(?:e|ely|ity)|passwords?|credentials?|secrets?|sanitiz\\w*|privilege\\w*|sandbox\\w*|cve|exactly-once|effectively-once|isolation levels?|serializab\\w*|repeatable read|read committed|linearizab\\w*|consistency models?|nebenläufig\\w*|sicherheit\\w*|schwachstelle\\w*|verschlüssel\\w*|angriff\\w*|verrou\\w*|chiffrement|faille',
    'sécurité|sécuris|vulnérabilité|Sicherheitslücke|absicher|並行|並列|スレッド|排他|セキュリティ|脆弱性|暗号|攻撃|并发|並發|线程|線程|加锁|安全|漏洞|加密|攻击|注入'
  )],
  ['performance', re(
    'performance|latency|throughput|optimi[sz]\\w*|profil(?:e|ing|er)|bottlenecks?|(?:is|too|runs?|got|gets|very) slow|slow(?:s|ed)? down|slower|speed (?:it |this )?up|memory usage|cpu|vectori[sz]e|cache (?:invalidation|miss\\w*)|re-?renders?|n\\+1|benchmarks?|latenz|langsam|optimier\\w*|latence|optimiser|lent',
    'パフォーマンス|性能|遅い|最適化|高速化|レイテンシ|延迟|优化|優化|吞吐'
  )],
  ['a non-trivial component to build', re(
    'parser|interpreter|compiler|type checker|query planner|allocator|garbage collector|ring buffer|state machine|scheduler|crdts?|b-?tree|red-black|lru|rate limiter|load balancer|from scratch|virtual machine|emulator|precedence|implement (?:a|an) (?!function)\\w+'
  )],
  ['a multi-step plan', re(
    'step[- ]by[- ]step|multi-?step|end-to-end|plan (?:for|out|the|to)|strategy|strategies|in phases|rollout|roll out|backwards? compatib\\w*|zero[- ]downtime|roll ?back',
    'ゼロダウンタイム|無停止|段階的|零停机|不停机|分阶段|sans interruption|ohne ausfallzeit'
  )],
  ['quantitative reasoning', re(
    'probabilit\\w*|odds|chances?|expected (?:value|cost|number)|bayes\\w*|combinatori\\w*|how many (?:ways|different|distinct|paths|arrangements|combinations|possible)|permutations?|combinations|game theory|fermi|orders? of magnitude|back-of-the-envelope|optimal\\w*|perfect play|winning strategy|estimate (?:how|the)|minimum|maximum|minimi[sz]e|maximi[sz]e|at least|at most|factorials?|\\d+!|trailing zeros|how many (?:\\w+ ){0,3}(?:are there(?! in)|can|could|would)|catch(?:es)? up|overtakes?|divisib\\w*|modulo|mod \\d+|prime factor\\w*|converge\\w*|integral|derivative|limit of|recurrence|closed form|more than (?:the|a|an)|twice as|as many as|times as (?:many|much|old|fast)|older than|younger than|paradox|wahrscheinlichkeit\\w*|probabilité',
    '確率|期待値|組み合わせ|概率|期望|组合|排列'
  )],
  ['long-form or nuanced writing', re(
    'nuanced|persuasive|proposal|white ?paper|design doc(?:ument)?|(?:an?|the|our|this|internal) (?:\\w+ )?rfcs?|rfcs|rfc[- ]?\\d+|rfc (?:for|on|about|proposing|draft)|rfc[- ](?:compliant|conformant|valid\\w*|strict\\w*)|technical spec(?:ification)?|literature review|op-ed|in the style of|chapters?|screenplay|scene|story|stories|novel|novella|essay|speech|talk track|keynote|eulogy|toast|\\d{3,}[- ]words?|\\d{1,2},\\d{3}[- ]words?|\\d+k words|\\d+-minute|several (?:pages|sections)|detailed|comprehensive|in-depth|thorough|guide|case study|investor update|balanced|subtext|twist|essai|discours|roman|aufsatz|rede|kurzgeschichte|ausführlich|detailliert',
    'détaillé|approfondi|小説|物語|エッセイ|スピーチ|詳細|小说|故事|散文|演讲|详细'
  )],
  // Bad news, conflict or harm to tell: a short note still needs care a small model does not reliably take.
  ['a delicate message', re(
    'angry|upset|furious|irate|complain\\w*|complaints?|condolences?|layoffs?|laid off|fired|firing|redundanc\\w*|bad news|data breach|leaked|grievances?|disciplinary|harass\\w*|discriminat\\w*|lawsuits?|suing|terminat(?:ed|ion)|fraud\\w*|shutting down|sunsetting|discontinu\\w*|outages?|licenciement|plainte|entlassung\\w*|beschwerde\\w*|kündigung',
    '解雇|苦情|クレーム|謝罪文|裁员|投诉|辞退|解聘'
  )],
  ['legal, medical or financial judgement', re(
    'legal\\w*|laws?|lawyer|liabilit\\w*|contracts?|clauses?|complian\\w*|gdpr|hipaa|regulat\\w*|diagnos\\w*|symptoms?|dosage|doses?|drugs?|medication\\w*|treatments?|clinical|trials?|tax|taxes|taxed|taxation|treaty|valuation|dcf|invest\\w*|portfolio|debts?|mortgage|retire\\w*|inflation|interest rates?|policy rates?|juridique|contrat|impôt|fiscal\\w*|diagnostic|posologie|investir|rechtlich\\w*|vertrag\\w*|steuer\\w*|diagnose|dosierung|investieren',
    'légal|médical|法的|契約|税金|医療|診断|投資|法律|合同|税务|医疗|诊断|投资'
  )],
  ['the state of research', re(
    'what is known|state of the (?:art|evidence)|current (?:scientific )?understanding|open questions|evidence|studies|research (?:says|shows|suggests)|literature|implications'
  )],
];

/** Words of a code request that ask for a fault to be found: with a code block, a strong model's work. */
export const BUG_QUESTION = re(
  'why|bugs?|buggy|wrong|fix|broken|fails?|failing|failure|errors?|crash\\w*|hang\\w*|forever|doesn\'t work|does not work|not working|incorrect|unexpected\\w*|stale|flaky|slow|leak\\w*|deadlock\\w*|pourquoi|bogue|erreur|plante|fehler|funktioniert nicht|warum',
  'ne marche pas|バグ|エラー|動かない|なぜ|错误|報錯|报错|为什么|崩溃'
);

/**
 * A mechanical fix named as such ("fix the indentation", "corrige l'orthographe"): its "fix" asks for no fault to be
 * found, so these words are left out before BUG_QUESTION is read. Anything else in the request still counts.
 */
export const MECHANICAL_FIX = re(
  'fix(?:es)? (?:the |my |our |these |this |its )?(?:typos?|grammar|spelling|punctuation|indentation|indents?|formatting|whitespace|line endings|casing|capitali[sz]ation|imports? order|import order|lint(?:ing)? warnings?|trailing (?:commas?|spaces|whitespace))|korrigiere (?:die |den )?(?:rechtschreibung|grammatik|einrückung|tippfehler|formatierung)',
  "corrige[zr]? (?:l'|les |la )?(?:orthographe|indentation|fautes|typos|grammaire)|インデントを直|誤字を直|缩进|错别字"
);

/**
 * "Explain this one-liner / regex / command", "what does this regex match": the reading of a line or two given with
 * it. features.ts leaves these words out before the hard signs are read when the snippet is that small (so "explain"
 * alone does not make it hard; any other hard word still does), and easySigns.ts counts them as an easy sign.
 */
export const SMALL_EXPLAIN = re(
  '(?:explain\\w*|break down|walk me through|what does|what do) (?:me )?(?:what )?(?:this|the|these|that) (?:\\w+ ){0,2}?(?:one-?liners?|regexp?|regexes|regular expressions?|commands?|lines?(?: of code)?|expressions?|alias(?:es)?|globs?|cron(?: expression)?|format strings?|shell pipeline)(?: (?:does|do|means?|matches|match))?|what does (?:this|it) (?:do|mean)|explain(?: (?:this|it))?(?=\\s*$|[?.!])',
  "expliqu\\w* (?:moi )?(?:cette|ce|cet|la|le|les|ces) (?:\\S+ )?(?:commande|ligne|regex|expression|alias)|erklär\\w* (?:mir )?(?:diese[nrs]?|den|die|das) (?:\\S+ )?(?:befehl|einzeiler|zeile|regex|ausdruck|alias)|(?:この|これ|次の).{0,10}(?:ワンライナー|コマンド|正規表現|一行).{0,12}(?:説明して|意味を教えて|の意味|を解説)|(?:解释|讲解)(?:一下)?(?:这个|这条|这行|这段)?.{0,4}(?:命令|正则|代码|表达式)|(?:这个|这条|这行).{0,6}(?:命令|正则|代码|表达式).{0,10}(?:什么意思|解释一下)"
);

/** Scripts without spaces between words: their characters are counted as words, two to a word. */
export const CJK = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]/u;

/** One named construct, keyword or type of a language in a textbook question: `let`, `==`, "type alias", "a tuple". */
const CONSTRUCT = "(?:an? |the )?[\\w.#+=!<>:$@-]+(?: [\\w.#+-]+)?";
/**
 * "What's the difference between let and const in JavaScript?", "ts interface vs type alias": a textbook difference
 * between two named constructs, the whole request (easySigns.ts's TOOL_DIFFERENCE adds: with a language or tool named).
 */
export const KEYWORD_DIFFERENCE = new RegExp(
  `^(?:(?:what(?:'s| is|s) |was ist |quelle est )?(?:the |der |la )?(?:main |practical |real |key )?(?:difference|unterschied|différence) (?:between|zwischen|entre) ${CONSTRUCT} (?:and|und|et) ${CONSTRUCT}|${CONSTRUCT} (?:vs\\.?|versus) ${CONSTRUCT}(?:,? (?:what(?:'s| is|s) )?the (?:main |practical |real |key )?difference)?)(?: (?:in|en|bei) [\\w.#+-]+)?\\s*[?？]?\\s*$`,
  'iu'
);
/** "time complexity of heapq.heappush?": the documented cost of one named library call, the whole request. */
export const LIBRARY_COMPLEXITY = /^(?:what(?:'s| is) )?(?:the )?(?:average |worst-case )?(?:time |space )?complexity of [\w$]+(?:\.[\w$]+)+(?:\(\))?(?: in [\w.#+-]+)?\s*\??\s*$/iu;
