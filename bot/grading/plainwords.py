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
else), anywhere within one sentence.
"""

from __future__ import annotations

# concept (in the bank's wording; its units are what a matching sentence gains) -> everyday phrasings
PLAIN: dict[str, tuple[str, ...]] = {
    # representations
    "嵌入向量": ("一串数字", "变成数字", "转成数字", "换成数字", "数字表示", "坐标", "turn text into numbers",
               "list of numbers", "string of numbers", "numeric vector", "numbers that capture meaning"),
    "语义相似": ("意思相近", "意思接近", "意思差不多", "意思最接近", "意思像", "意思相同",
               "similar meaning", "close in meaning", "same meaning", "meaning is close"),
    "相似度检索": ("最接近的几", "最像的几", "找最相近", "找出最相似", "most similar",
                "closest ones", "nearest ones"),
    "关键词检索 BM25": ("字面匹配", "字面意思", "按字词匹配", "exact word match",
                     "keyword match"),
    "词表": ("字典", "词典", "dictionary of pieces", "list of pieces", "vocabulary list"),
    "token 子词": ("小片段", "片段", "小块文字", "词的碎片", "word pieces", "pieces of words", "chunks of text"),
    "位置编码": ("第几个位置", "排第几", "排在第几", "表示位置", "where each word sits",
               "position of each word", "word order"),
    "旋转": ("转一个角度", "转角度", "转多少度", "rotate", "rotation", "turn by an angle"),
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
    "重排序": ("重新排", "再排一次", "second pass", "re-order", "reorder"),
    "改写 查询": ("换个说法", "换种问法", "重新表述", "reword", "rephrase", "rewrite the question"),
    "引用 来源 出处": ("注明出处", "标出来源", "标明来自哪", "cite", "where it came from", "point to the source"),
    # generation and sampling
    "自回归 预测下一个 token": ("猜下一个字", "猜下一个词", "预测下一个字", "一个字一个字", "一个词一个词",
                            "逐字", "guess the next word", "predict the next word", "one word at a time",
                            "word by word"),
    "温度": ("随机程度", "how adventurous", "randomness", "how random"),
    "采样": ("随机挑", "pick at random", "random pick"),
    "贪心": ("总挑最可能", "always pick the most likely", "most likely word"),
    "幻觉": ("一本正经地编", "胡编", "编造", "胡说", "编出来", "make things up", "made up", "invents facts",
           "confidently wrong"),
    "重复": ("同一句话反复", "来回说", "翻来覆去", "repeat itself", "same phrase again"),
    # architecture
    "注意力": ("回头看", "看前面所有", "该多关注", "关注哪些", "look back at", "pay attention to", "which words to focus"),
    "掩码 单向 因果": ("只能看前面", "只看前面", "看不到后面", "only see the words before",
                   "only look left", "cannot see the future"),
    "双向": ("前后都能看", "互相都能看", "both directions", "look both ways", "see the whole sentence"),
    "编码器": ("读懂输入", "负责读懂", "读一遍读懂", "part that reads"),
    "解码器": ("负责写", "part that writes"),
    "归一化": ("整理一下数值", "调整到同样大小", "rescale", "normalize the values",
             "keep the numbers in range"),
    "残差": ("捷径", "直接加回", "shortcut", "skip path", "add the input back"),
    "前馈": ("两层小网络", "逐个位置的小网络", "small network applied to each position"),
    "专家 MoE 路由": ("只激活一部分", "挑几个子网络", "分给几个专家", "only a few sub-networks", "router picks"),
    # parameter-efficient fine-tuning
    "冻结": ("一动不动", "保持不变", "原封不动", "固定住", "锁住", "不再改动", "stays unchanged", "kept fixed",
           "left untouched", "locked", "never change those"),
    "低秩 矩阵": ("两个小矩阵",
               "two thin matrices", "two small matrices", "narrow matrices"),
    "适配器 adapter 插件": ("小插件", "外挂", "附加的小模块", "add-on", "plug-in", "small extra module",
                         "small trainable pieces"),
    "初始化为零": ("填成零", "填零", "全是零", "starts at zero", "filled with zeros", "set to zero"),
    "量化": ("压到很低的精度", "压成低精度", "四个比特",
           "fewer bits", "lower precision", "four bits"),
    "反量化": ("展开回高精度", "converted back to full precision"),
    "合并": ("加进原来的参数", "merge into", "fold into the weights",
           "added into the original weights"),
    # alignment
    "奖励模型": ("打分的模型", "打分模型", "打分员", "负责打分", "专门打分", "评分的模型",
              "scoring model", "model that scores", "grader model"),
    "人类偏好": ("人喜欢", "人更喜欢", "排好坏", "比较回答的好坏", "which answer people prefer", "people prefer",
              "rank the answers", "human rankings"),
    "价值模型 critic": ("估值模型", "预期得分",
                     "expected score", "predicts the score"),
    "KL 约束 参考模型": ("不偏离原来", "别离原来的模型太远", "别跑偏", "stay close to the original", "drift too far"),
    "裁剪": ("限制每次改动", "clipped", "limit each step", "small steps only"),
    "监督微调 SFT": ("照着例子学", "照着示范", "示范答案", "learn from examples", "imitate the examples"),
    "强化学习": ("试着回答", "反复改进", "trial and error"),
    "组内 平均 优势": ("高于平均", "低于平均", "compared with the group"),
    # training and infrastructure
    "显存": ("显卡内存", "显卡里", "GPU memory", "graphics card memory"),
    "梯度检查点 重计算": ("再算一遍", "重新算一遍", "recompute", "compute again", "拿时间换空间"),
    "梯度累积": ("攒几批", "accumulate", "add up several small batches"),
    "混合精度": ("高低精度混着用", "低精度算、高精度存", "store numbers with fewer bytes", "half the bytes"),
    "卸载 offload": ("挪到内存", "放到内存", "move to cpu memory", "offload"),
    "分片 ZeRO": ("分到几张卡", "split across gpus", "spread across cards"),
    "并行": ("同时做", "同时调", "同时去调", "一起跑", "at the same time", "in parallel", "simultaneously"),
    "批处理 batch": ("拼在一起", "一批", "group requests", "a batch of", "several requests together"),
    "学习率": ("步子大小", "步子", "每一步改多少", "step size", "how big each step"),
    "预热": ("慢慢加上去", "warm up slowly", "ramp up"),
    "过拟合": ("死记硬背", "背下来", "memorize", "recite", "memorise"),
    "灾难性遗忘": ("原来会的", "忘掉", "forget what it knew", "forgets", "lose old skills"),
    "缓存": ("存起来", "keep the results", "store the results",
           "reuse the results", "remember the results"),
    "分页": ("small blocks", "fixed-size blocks"),
    "碎片": ("空隙", "wasted gaps"),
    "草稿模型 投机": ("小模型先猜", "先让小模型", "小模型先写", "small model guesses", "draft a few words"),
    "验证": ("一次检查", "大模型检查", "big model checks", "checks them at once"),
    # data
    "去重": ("删掉重复", "去掉重复", "重复的删掉", "remove duplicates", "drop duplicates", "duplicate"),
    "过滤 清洗": ("筛掉", "去掉低质量", "乱码", "filter out", "throw away bad", "remove junk",
              "low-quality"),
    "配比 混合": ("掺一些", "按比例混", "mix in", "how much of each"),
    "标注": ("人去标", "人工标", "找人标"),
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
    "有向无环图 DAG": ("没有环", "no loops", "箭头图"),
    "依赖": ("要等另一个", "互不依赖", "relies on", "depends on"),
    "反思": ("回头检查自己", "look back at its own", "reflect on"),
}
