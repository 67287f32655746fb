"""Everyday phrasings of the field's technical concepts, for soft credit only (``bot.grading.semantic``).

A member who explains an idea without its term ("把每一段都变成一串数字", "chop the document into
small pieces", "旁边挂两个很窄的小表") shares few units with a key point worded in the term
(嵌入, 切块, 低秩矩阵). ``PLAIN`` lists, per concept, phrasings a reader of this field recognises as
that concept. When an affirmed sentence of an answer holds every unit of a phrasing, the concept's
units count as a clause of their own (it may explain a point the rest of the sentence does not), for
soft credit only: exact key-point hits, contradictions and
negations never read this table, and a concept counts only towards a key point whose support
already holds its units (so 打分 helps a point about 奖励模型 and nothing else).

The entries are the field's usual plain words, not the wording of any one answer: each phrasing
should describe its concept whatever the question. Chinese phrasings are matched as character
bigrams and English ones as stems (the same ``bot.grading.normalise`` pipeline as everything
else), anywhere within one sentence. A phrasing never holds a negation cue ("停不下来", "no loops"): a
denied clause gives no soft credit, so such a phrasing could never fire; problems are worded affirmatively.
``bot.grading.plainwords_bank`` adds a second table gathered over every topic of the question bank, and
``bot.grading.plainwords_mechanisms`` a third, of mechanisms, comparisons and causes in plain words; both are
merged after this one, so these concepts keep their ranks. Concepts said with a negation word ("原来的模型一点都不动")
are kept apart there (``PLAIN_DENIED``) and read in denied clauses only.
"""

from __future__ import annotations

from bot.grading.plainwords_bank import PLAIN_BANK
from bot.grading.plainwords_mechanisms import PLAIN_MECHANISMS

# concept (in the bank's wording; its units are what a matching sentence gains) -> everyday phrasings
PLAIN: dict[str, tuple[str, ...]] = {
    # representations
    "嵌入向量": ("一串数字", "变成数字", "转成数字", "换成数字", "数字表示", "坐标", "turn text into numbers",
               "list of numbers", "string of numbers", "numeric vector", "numbers that capture meaning"),
    "语义相似": ("意思相近", "意思接近", "意思差不多", "意思最接近", "意思像", "意思相同",
               "similar meaning", "close in meaning", "same meaning", "meaning is close"),
    "相似度检索": ("最接近的几", "最像的几", "找最相近", "找出最相似", "most similar",
                "closest ones", "nearest ones"),
    "关键词检索 BM25": ("字面匹配", "字面意思", "按字词匹配", "exact word match"),
    "词表": ("字典", "词典", "dictionary of pieces", "list of pieces", "vocabulary list"),
    "token 子词": ("小片段", "片段", "小块文字", "词的碎片", "word pieces", "pieces of words", "chunks of text"),
    "位置编码": ("第几个位置", "排第几", "排在第几", "表示位置", "where each word sits",
               "position of each word", "word order"),
    "旋转": ("转一个角度", "转角度", "转多少度", "turn by an angle"),
    # retrieval
    "切分 切块 分块": ("切成小段", "切成一段段", "切成小块", "切成片段", "分成小段", "拆成小段",
                   "chop into pieces", "cut into pieces", "split into pieces", "split the text",
                   "cut the document", "smaller pieces", "small pieces"),
    "重叠": ("稍有重叠", "overlap a little", "share a few sentences"),
    "加载": ("读进来", "读进去", "导入", "read in", "load the files"),
    "向量数据库 索引": ("专门按意思", "按意思查找的库", "资料库", "a database that searches by meaning",
                   "searchable store", "special database"),
    "召回 检索": ("找资料", "查资料", "查到相关", "找出相关", "look up", "find relevant", "fetch relevant",
               "search the documents"),
    "重排序": ("重新排", "再排一次", "second pass"),
    "改写 查询": ("换个说法", "换种问法", "重新表述", "reword", "rewrite the question"),
    "引用 来源 出处": ("注明出处", "标出来源", "标明来自哪", "where it came from", "point to the source"),
    # generation and sampling
    "自回归 预测下一个 token": ("猜下一个字", "猜下一个词", "预测下一个字", "一个字一个字", "一个词一个词",
                            "逐字", "guess the next word", "predict the next word", "one word at a time",
                            "word by word"),
    "温度": ("随机程度", "how adventurous", "how random"),
    "采样": ("随机挑", "pick at random", "random pick"),
    "贪心": ("总挑最可能", "always pick the most likely", "most likely word"),
    "幻觉": ("一本正经地编", "胡编", "编造", "胡说", "编出来", "make things up", "made up", "invents facts",
           "confidently wrong"),
    "重复": ("同一句话反复", "来回说", "翻来覆去", "repeat itself", "same phrase again"),
    # architecture
    "注意力": ("回头看", "看前面所有", "该多关注", "关注哪些", "look back at", "pay attention to", "which words to focus"),
    "掩码 单向 因果": ("只能看前面", "只看前面", "后面的被遮住", "only see the words before",
                   "only look left", "future words are hidden"),
    "双向": ("前后都能看", "互相都能看", "both directions", "look both ways", "see the whole sentence"),
    "编码器": ("读懂输入", "负责读懂", "读一遍读懂", "part that reads"),
    "解码器": ("负责写", "part that writes"),
    "归一化": ("整理一下数值", "调整到同样大小", "normalize the values",
             "keep the numbers in range"),
    "残差": ("捷径", "直接加回", "shortcut", "skip path", "add the input back"),
    "前馈": ("两层小网络", "逐个位置的小网络", "small network applied to each position"),
    "专家 MoE 路由": ("只激活一部分", "挑几个子网络", "分给几个专家", "only a few sub-networks", "router picks"),
    # parameter-efficient fine-tuning
    "冻结": ("一动不动", "保持不变", "权重原样保留", "固定住", "锁住", "参数保持原样", "stays unchanged", "kept fixed",
           "left untouched", "locked", "keep those as they are"),
    "低秩 矩阵": ("两个小矩阵",
               "two thin matrices", "two small matrices", "narrow matrices"),
    "适配器 adapter 插件": ("小插件", "外挂", "附加的小模块", "add-on", "plug-in", "small extra module",
                         "small trainable pieces"),
    "初始化为零": ("填成零", "填零", "全是零", "starts at zero", "filled with zeros"),
    "量化": ("压到很低的精度", "压成低精度", "四个比特",
           "fewer bits", "four bits"),
    "反量化": ("展开回高精度", "converted back to full precision"),
    "合并": ("加进原来的参数", "fold into the weights",
           "added into the original weights"),
    # alignment
    "奖励模型": ("打分的模型", "打分模型", "打分员", "负责打分", "专门打分", "评分的模型",
              "scoring model", "model that scores", "grader model"),
    "人类偏好": ("人喜欢", "人更喜欢", "排好坏", "比较回答的好坏", "which answer people prefer", "people prefer"),
    "价值模型 critic": ("估值模型", "预期得分",
                     "expected score", "predicts the score"),
    "KL 约束 参考模型": ("贴着原来的模型", "和原来的模型保持接近", "拉回原来的模型", "stay close to the original", "drift too far"),
    "裁剪": ("限制每次改动", "limit each step", "small steps only"),
    "监督微调 SFT": ("照着例子学", "照着示范", "示范答案", "learn from examples", "imitate the examples"),
    "强化学习": ("试着回答", "反复改进", "trial and error"),
    "组内 平均 优势": ("高于平均", "低于平均", "compared with the group"),
    # training and infrastructure
    "显存": ("显卡内存", "显卡里", "graphics card memory"),
    "梯度检查点 重计算": ("再算一遍", "重新算一遍", "compute again", "拿时间换空间"),
    "梯度累积": ("攒几批", "add up several small batches"),
    "混合精度": ("高低精度混着用", "低精度算、高精度存", "store numbers with fewer bytes", "half the bytes"),
    "卸载 offload": ("挪到内存", "放到内存", "move to cpu memory", "put it in cpu memory", "move part of it to the cpu", "park it in system memory"),
    "分片 ZeRO": ("分到几张卡", "split across gpus", "spread across cards"),
    "并行": ("同时做", "同时调", "同时去调", "一起跑", "at the same time", "simultaneously"),
    "批处理 batch": ("拼在一起", "一批", "group requests", "several requests together"),
    "学习率": ("步子大小", "步子", "每一步改多少", "how big each step"),
    "预热": ("慢慢加上去", "ramp up"),
    "过拟合": ("死记硬背", "背下来", "recite"),
    "灾难性遗忘": ("原来会的", "忘掉", "forget what it knew", "forgets", "lose old skills"),
    "缓存": ("存起来", "keep the results", "store the results",
           "reuse the results", "remember the results"),
    "分页": ("small blocks", "fixed-size blocks", "固定大小的小块", "一小块一小块地分配", "按块分配", "一块一块地分"),
    "碎片": ("空隙", "wasted gaps"),
    "草稿模型 投机": ("小模型先猜", "先让小模型", "小模型先写", "small model guesses", "draft a few words"),
    "验证": ("一次检查", "大模型检查", "big model checks", "checks them at once"),
    # data
    "去重": ("删掉重复", "去掉重复", "重复的删掉", "remove duplicates", "remove the duplicates", "throw out duplicates", "drop repeated copies"),
    "过滤 清洗": ("筛掉", "去掉低质量", "乱码", "throw away bad", "remove junk"),
    "配比 混合": ("掺一些", "按比例混", "how much of each"),
    "标注": ("人去标", "人工标", "找人标", "people label", "humans label", "hand-labelled", "labelled by people", "put labels on"),
    "评测 基准": ("考卷", "考题", "exam questions"),
    "留出 验证集": ("留出来的数据", "held back", "unseen data"),
    "污染": ("考题泄露", "见过考题", "漏进训练", "leaked into training", "saw the test"),
    "裁判 LLM-as-a-judge": ("另找一个模型来评", "让模型来打分", "让另一个模型判", "another model grades",
                          "model as the grader"),
    # agents
    "工具调用": ("调一个工具", "外部服务", "call a tool", "use a tool",
              "external service", "outside service"),
    "规划": ("先做什么再做什么", "分步计划", "step-by-step plan", "make a plan", "plan the steps"),
    "记忆 状态": ("记录进度", "keeps track of", "notes of what was done"),
    "有向无环图 DAG": ("单向的箭头", "箭头只往前", "arrows only go forward", "箭头图"),
    "依赖": ("要等另一个", "各自独立", "relies on", "depends on"),
    "反思": ("回头检查自己", "look back at its own", "reflect on"),
    # more of the field's everyday words
    "全量微调": ("所有参数都放开", "所有参数一起训", "全部参数一起训", "整个模型都训",
             "update every weight", "every parameter is trained",
             "train all the parameters"),
    "继续预训练": ("接着读", "接着按原来的方式练", "接着练", "keep pretraining", "continue training on raw text",
              "more reading of plain text"),
    "上下文窗口": ("一次能看", "一次能读", "一次能塞", "how much text it can read at once", "how much it can see at once"),
    "外推": ("比训练时更长", "超过训练时的长度", "longer than it was trained on", "longer than anything it saw"),
    "截断": ("砍掉", "截掉", "只留前面", "cut off the end", "chop off", "cut it short"),
    "摘要 压缩": ("概括", "总结成", "缩成一小段", "boil down", "sum up"),
    "拒答": ("拒绝回答", "承认自己答错", "直接拒绝", "decline to answer", "refuse to answer", "admit it is unsure"),
    "流式": ("边生成边返回", "边写边发", "写一点发一点", "as it is written", "piece by piece as it writes",
           "sends it out as it goes", "shows the words as they are generated", "streams the answer out"),
    "重试": ("再试一次", "再试一遍", "重新试", "try again"),
    "合成数据": ("让模型编", "让更强的模型写", "模型生成的例子", "written by another model", "generated by a stronger model"),
    "监控 日志": ("盯着", "记下每一步", "留记录", "keep an eye on", "log every step", "watch the numbers"),
    "多样性": ("五花八门", "各式各样", "花样多", "variety", "many different kinds", "all sorts of"),
    "偏好对 成对": ("一好一坏", "好答案和坏答案", "好的和差的回答", "a better and a worse answer", "pairs of answers",
               "good and bad answer"),
    "离线": ("事先准备好", "提前准备好", "prepared in advance", "ahead of time", "collected beforehand"),
    "在线": ("边训边生成", "训练时现生成", "on the fly", "generated during training"),
    "结构化输出": ("固定格式", "按格式输出", "fixed format", "fill in a form", "strict format"),
    "校验": ("检查对不对", "查一遍对不对", "check whether it is right"),
    "沙箱 隔离": ("隔开运行", "单独的环境", "关在", "separate environment", "locked-down environment"),
    "长度 归一化 惩罚": ("越写越长", "故意写长", "写得很长", "longer answers score higher", "pad the answer"),
    "奖励黑客": ("钻空子", "找到漏洞", "讨好打分", "game the score", "exploit the judge", "cheat the scorer"),
    "蒸馏": ("大模型教小模型", "小模型学大模型", "照着大模型", "big model teaches a small one", "copy a larger model"),
    "剪枝": ("剪掉次要的", "去掉次要的", "cut away unimportant", "remove unimportant weights"),
    "稀疏": ("大部分是零", "只有少数起作用", "mostly zeros", "only a few are active"),
    "提示词": ("写好的说明", "给模型的说明", "开头写清楚", "instructions given to the model", "written instructions"),
    "思维链": ("一步一步想", "先写推理过程", "把思考过程写出来", "think step by step", "show its reasoning",
            "write out the steps"),
    "少样本 示例": ("给几个例子", "举几个例子", "a few examples", "show it some examples"),
}

# the bank-wide table goes after the first one, so the first one's concepts keep their ranks
PLAIN.update({concept: plains for concept, plains in PLAIN_BANK.items() if concept not in PLAIN})
# the mechanisms table comes last: a concept named before gains its phrasings and keeps its rank
for _concept, _plains in PLAIN_MECHANISMS.items():
    PLAIN[_concept] = tuple(dict.fromkeys(PLAIN.get(_concept, ()) + _plains))
