/**
 * The vocabulary the router's features read (./features.ts): signs that a request is hard, and the few clear signs
 * that it is easy. Written as broad classes of words (what a request asks for: why, a proof, a trade-off, a review,
 * a design; what it is about: concurrency, security, performance), not as phrases of any one prompt set, so they
 * hold on prompts nobody tuned them on. English first, then French, German, Japanese and Chinese: a request in
 * another language must not look "short and plain" just because no English word matched. Words with accents or in
 * scripts without spaces sit in the `loose` part, matched without word boundaries (\b knows only ASCII letters).
 */

const re = (words: string, loose?: string): RegExp => new RegExp(`\\b(?:${words})\\b${loose ? `|${loose}` : ''}`, 'iu');

/** Signs of a hard request, each with the words it is explained by. Ordered: the first few that match are shown. */
export const HARD_SIGNALS: ReadonlyArray<readonly [string, RegExp]> = [
  ['a proof or derivation', re(
    'prove|proof|proofs|derive|derivation|formally|rigorous(?:ly)?|invariants?|induction|theorem|lemma|big-?o|o\\([^)]{1,12}\\)|in (?:constant|linear|logarithmic) (?:time|space)|time complexity|space complexity|amortized|is it (?:possible|true|always)|impossible|infinitely many|for (?:all|every|any) (?:n|integers?|x|k)|beweis\\w*|herleiten|prouver|preuve',
    'démontr|démonstration|証明|证明|推导|導出'
  )],
  ['an explanation asked for', re(
    'why|explain\\w*|how (?:does|do|did|is|are|would|could|can) .{1,80}\\b(?:work|happen|differ|affect|cause|fail|break|scale)|what (?:causes|caused|happens|happened|would happen|makes|made)|what(?:\'s| is) (?:wrong|the reason)|reasons? (?:for|behind)|intuition|significance|consequences|implications|pourquoi|expliqu\\w*|comment fonctionne|warum|wieso|weshalb|erkl\\w*|wie funktioniert',
    'なぜ|どうして|説明して|仕組み|为什么|為什麼|解释|解釋|原理|怎么回事'
  )],
  ['a comparison or trade-off', re(
    'trade-?offs?|pros and cons|should (?:i|we|you|they|a|an|the|my|our)|which (?:is|would be|one is) (?:better|best|faster|safer)|better (?:to|for|than)|worth it|compar\\w*|versus|vs\\.?(?! ?code\\b)|differ|differs|differen\\w*|distinguish|weigh\\w*|choose between|instead of|best (?:way|practice|approach|option)|risks?|decide|decision|recommend\\w*|compromis|avantages et inconvénients|devrais|faut-il|comparer|vergleich\\w*|unterschied\\w*|abwägung|sollte[nr]? (?:ich|wir)',
    'Vor- und Nachteile|différence|トレードオフ|比較|違い|べきか|メリット|权衡|利弊|比较|区别|區別|应该'
  )],
  ['a review or critique', re(
    'review (?:this|my|our|the)|critique|audit|assess\\w*|evaluate\\w*|is (?:this|it|the|my|our) (?:\\w+ ){0,3}(?:correct|valid|sound|safe|secure|trustworthy|right)|find (?:the |any |all )?(?:bugs?|issues|problems|flaws|mistakes)|what(?:\'s| is) wrong|poke holes|weakness\\w*|strengths|limitations|flaws|critically|fallac\\w*|steelman|counter-?arguments?|edge cases|failure modes|überprüf\\w*|bewerte\\w*|critiquer',
    'évaluer|レビュー|評価|审查|评审|评估|審查'
  )],
  ['design or architecture', re(
    'design (?:a|an|the|our|my)|designing|architect\\w*|system design|scal(?:e|able|ability|ing)|distributed|sharding|shards?|replication|consensus|multi-tenant|migrat\\w*|roadmap|threat model|high availability|fault[- ]toleran\\w*|\\d+k? (?:requests|writes|reads|queries|users|messages|events) (?:per|a|/) ?(?:second|sec|s|minute|day)|rps|qps|concevoir|conception|entwerfen|entwurf|architektur|skalier\\w*',
    '設計|アーキテクチャ|スケール|设计|架构|擴展|扩展性|分布式|分散'
  )],
  ['debugging a subtle fault', re(
    'race(?:s| conditions?)?|deadlock\\w*|livelock\\w*|memory leaks?|leak(?:s|ing)? memory|heisenbug|intermittent(?:ly)?|flaky|root cause|only (?:in|on) production|(?:sometimes|occasionally|randomly) (?:fails|hangs|returns|crashes|loses|drops|processes|duplicates|times out)|corrupt\\w*|segfaults?|undefined behaviou?r|use-after-free|data races?|p\\d\\d|regression|loops? forever|infinite loop|hangs|interblocage|verklemmung',
    'デッドロック|競合状態|死锁|死鎖|竞态|競態|内存泄漏'
  )],
  ['concurrency or security', re(
    'concurren\\w*|parallel(?:ism|ize|ise)?|lock-?free|atomic\\w*|memory (?:ordering|orders?|model)|orderings?|thread-?safe|threads?|multithread\\w*|mutex\\w*|semaphores?|locks?|locking|goroutines?|vulnerab\\w*|exploit\\w*|attacks?|attackers?|replay|injection|xss|csrf|ssrf|cryptograph\\w*|side-?channel|encrypt\\w*|decrypt\\w*|attestation|oauth|jwt|authentication|authorization|secur(?:e|ely|ity)|passwords?|credentials?|secrets?|sanitiz\\w*|privilege\\w*|sandbox\\w*|cve|exactly-once|effectively-once|nebenläufig\\w*|sicherheit\\w*|schwachstelle\\w*|verschlüssel\\w*|angriff\\w*|verrou\\w*|chiffrement|faille',
    'sécurité|vulnérabilité|Sicherheitslücke|並行|並列|スレッド|排他|セキュリティ|脆弱性|暗号|攻撃|并发|並發|线程|線程|加锁|安全|漏洞|加密|攻击|注入'
  )],
  ['performance', re(
    'performance|latency|throughput|optimi[sz]\\w*|profil(?:e|ing|er)|bottlenecks?|(?:is|too|runs?|got|gets|very) slow|slow(?:s|ed)? down|slower|speed (?:it |this )?up|memory usage|cpu|vectori[sz]e|cache (?:invalidation|miss\\w*)|re-?renders?|n\\+1|benchmarks?|latenz|langsam|optimier\\w*|latence|optimiser|lent',
    'パフォーマンス|性能|遅い|最適化|高速化|レイテンシ|延迟|优化|優化|吞吐'
  )],
  ['a non-trivial component to build', re(
    'parser|interpreter|compiler|type checker|query planner|allocator|garbage collector|ring buffer|state machine|scheduler|crdts?|b-?tree|red-black|lru|rate limiter|load balancer|from scratch|virtual machine|emulator|precedence|implement (?:a|an) (?!function)\\w+'
  )],
  ['a multi-step plan', re(
    'step[- ]by[- ]step|multi-?step|end-to-end|plan (?:for|out|the|to)|strategy|strategies|in phases|rollout|roll out|backwards? compatib\\w*|zero[- ]downtime|roll ?back'
  )],
  ['quantitative reasoning', re(
    'probabilit\\w*|odds|chances?|expected (?:value|cost|number)|bayes\\w*|combinatori\\w*|how many (?:ways|different|distinct|paths|arrangements|combinations|possible)|permutations?|combinations|game theory|fermi|orders? of magnitude|back-of-the-envelope|optimal\\w*|perfect play|winning strategy|estimate (?:how|the)|minimum|maximum|minimi[sz]e|maximi[sz]e|at least|at most|factorials?|\\d+!|trailing zeros|how many (?:\\w+ ){0,3}(?:are there(?! in)|can|could|would)|catch(?:es)? up|overtakes?|divisib\\w*|modulo|mod \\d+|prime factor\\w*|converge\\w*|integral|derivative|limit of|recurrence|closed form|more than (?:the|a|an)|twice as|as many as|times as (?:many|much|old|fast)|older than|younger than|paradox|wahrscheinlichkeit\\w*|probabilité',
    '確率|期待値|組み合わせ|概率|期望|组合|排列'
  )],
  ['long-form or nuanced writing', re(
    'nuanced|persuasive|proposal|white ?paper|design doc(?:ument)?|rfcs?|technical spec(?:ification)?|literature review|op-ed|in the style of|chapters?|screenplay|scene|story|stories|novel|novella|essay|speech|talk track|keynote|eulogy|toast|\\d{3,}[- ]words?|\\d{1,2},\\d{3}[- ]words?|\\d+k words|\\d+-minute|several (?:pages|sections)|detailed|comprehensive|in-depth|thorough|guide|case study|investor update|balanced|subtext|twist|essai|discours|roman|aufsatz|rede|kurzgeschichte|ausführlich|detailliert',
    'détaillé|approfondi|小説|物語|エッセイ|スピーチ|詳細|小说|故事|散文|演讲|详细'
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
 * Clear signs of an easy request, each with its explanation. Only these send a request to a small model, and only
 * with no hard sign, short instructions and no code block to reason about (a transform may carry one): errors fall
 * on the side of a stronger model.
 */
export const EASY_SIGNALS: ReadonlyArray<{ readonly why: string; readonly re: RegExp; readonly maxWords: number; readonly code?: boolean; readonly material?: boolean }> = [
  {
    why: 'a short factual question',
    re: re(
      '^(?:what|who|whom|when|where|which|how (?:many|much|long|old|far|tall|big|high|heavy)|is|are|was|were|does|did|define|name|list)|^what(?:\'s| is| are| was) (?:the|a|an)|^(?:qu\'est-ce|quel(?:le)?s? (?:est|sont)|qui|quand|où|combien)|^(?:was (?:ist|sind|bedeutet)|wer|wann|wo|wie viele?|welche[rsnm]?)',
      'とは|は何|は誰|はいつ|はどこ|いくつ|何年|哪里|哪个|哪儿|哪一|是什么|什么是|多少|是谁|谁是'
    ),
    maxWords: 16,
  },
  {
    why: 'a syntax or command question',
    re: re(
      '^(?:(?:in|with|using) [\\w.#+-]+, |[\\w.#+-]+: )?(?:how (?:do|can|should) (?:i|you|we)|how to|what(?:\'s| is) the (?:command|syntax|shortcut|keyboard shortcut|flag|option|regex|cron expression|default|git command|equivalent)|what does .{1,60} (?:do|mean|stand for|return)|which (?:css |html )?(?:property|command|flag|option|function|method|package|keyword|operator))|^(?:bash|shell|sql|git|cron|regex|css|npm|docker) (?:one-liner|command|expression|query|for|to)|^(?:comment (?:faire|puis-je)|wie (?:kann|mache) ich)',
      '^(?:どうやって|如何|怎么|怎樣)'
    ),
    maxWords: 20,
  },
  {
    why: 'a trivial transform of given text',
    re: re(
      '^(?:please |can you |could you )?(?:proofread|fix (?:the |my |these )?(?:typos?|grammar|spelling|punctuation|indentation|formatting)|correct (?:the |my )?(?:typos?|grammar|spelling)|translate|rename|convert|reformat|format|sort|alphabeti[sz]e|capitali[sz]e|lowercase|uppercase|shorten|make (?:this|it|the) (?:\\w+ ){0,2}(?:shorter|friendlier|politer|more polite|more formal|less formal|more casual|clearer|simpler)|rewrite this (?:to|so|in|as)|rephrase|reword|add (?:type annotations|types|comments|docstrings?|semicolons)|turn (?:this|these) (?:notes |list |text )?into|extract (?:the|all)|list the|give me (?:\\w+ ){0,2}(?:alternative |other )?(?:phrasings|ways to say|synonyms))|^(?:traduis|traduire|traduisez|corrige[zr]?|reformule[zr]?|korrigiere\\w*|formuliere)',
      '^übersetze|翻訳|訳して|校正|直して|翻译|翻譯|改写|纠正|校对'
    ),
    maxWords: 20,
    code: true,
  },
  {
    why: 'a summary of a short text',
    re: re('^(?:please )?(?:summari[sz]e|sum up|tl;?dr|give me the gist)|^(?:résume[zr]?|fasse? .{0,40}zusammen|zusammenfassen)', '要約|总结|概括|總結'),
    maxWords: 20,
    material: true,
  },
  {
    why: 'simple arithmetic',
    re: /^(?=[^\n]*\d)(?:what is|what's|how (?:many|much|long)|if |convert|calculate|compute|round|add|subtract|multiply|divide|which is (?:bigger|larger|smaller)|is \d+ (?:a )?prime|sort these numbers|a recipe|my \w+ (?:leaves|arrives|starts)|i have|i leave|\d)/i,
    maxWords: 22,
  },
  {
    why: 'a short routine piece of writing',
    re: re(
      '^(?:please |can you |could you )?(?:write|draft|compose|give me|suggest|come up with|an?)\\b[^.?!:\\n]{0,40}?\\b(?:tweet|haiku|limerick|slogan|tagline|titles?|title ideas|names?|commit message|slack message|message|email|e-mail|note|thank-you note|reply|bio|caption|headline|out-of-office(?: reply)?|release notes? (?:bullet|entry|line)|product description|birthday (?:message|card)|reminder|invitation)'
    ),
    maxWords: 30,
  },
  {
    why: 'a small self-contained snippet',
    re: re(
      '^(?:please |can you |could you )?(?:write|give me|show me) (?:me )?(?:an? |the )?(?:[\\w.#+:-]+ ){0,3}(?:function|script|regex|regexp|regular expression|query|one-liner|dockerfile|unit test|test|makefile|cron expression|command|alias|snippet|type|interface|enum)'
    ),
    maxWords: 22,
  },
];

/** Scripts without spaces between words: their characters are counted as words, two to a word. */
export const CJK = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]/u;
