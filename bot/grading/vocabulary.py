"""The everyday working vocabulary of the field, in both languages: a second part of the glossary.

``bot.grading.glossary`` holds the field's named terms ("reward model", "KV cache" ...). Key points
and their aliases are mostly written in Chinese with the plain words a member uses around those
terms: 位置, 样本, 用户, 版本, 接口, 执行, 失败, 默认 ... An answer written in English says
"position", "samples", "user", "version", "interface", "execute", "fails", "by default", and without
a translation path such a point is met only when the bank happens to list an English alias for it.
The entries here are those words: each a real translation a member would use in either language,
with the same range of senses on both sides ("position" and 位置 are both a place in a sequence and
a place in general), so that folding the English word never turns an ordinary sentence into a claim
the Chinese one would not make. Words with several unrelated senses stay out ("key", "value",
"order", "time", "return"), and so do the function and cue words the negation and contradiction
rules read ("avoid", "check", "remove", "require", "independent", "drop"). The list was drawn from
the content words of the whole bank's key points and aliases, never from particular answers.

``GENERAL`` has the glossary's shape (canonical Chinese form -> spellings that fold into it); a
Chinese spelling on the right folds a variant word ("误差" -> 错误, "正确率" -> 准确率).

``GUARDS`` are Chinese words that stand for themselves: Chinese is written without spaces, so a
short Chinese variant could be read across a word boundary ("分数" inside "划分数据"). The glossary
matches the longest word at the leftmost place, so a guard that starts at or before such a
boundary keeps the characters as they are.
"""

from __future__ import annotations

GENERAL: dict[str, tuple[str, ...]] = {
    # sequences, data and samples
    "位置": ("position", "positions", "positional"),
    "样本": ("samples", "training sample", "training samples", "training example", "training examples"),
    "高质量": ("high-quality", "high quality"),
    "低质量": ("low-quality", "low quality"),
    "内容": ("content", "contents"),
    "信息": ("information", "info"),
    "真实": ("real", "real-world", "realistic"),
    "合成": ("synthesize", "synthesise", "synthesized", "synthesised", "synthesizing", "synthesis",
           "synthetic"),
    "比例": ("ratio", "ratios", "proportion", "proportions"),
    "海量": ("massive",),
    "几百": ("a few hundred", "several hundred", "hundreds of", "数百", "上百"),
    "几千": ("a few thousand", "several thousand", "thousands of", "数千", "上千"),
    "几万": ("tens of thousands", "数万", "上万"),
    "一半": ("half",),
    "三分之二": ("two thirds", "two-thirds"),
    "三分之一": ("one third", "one-third"),
    "标签": ("label", "labels", "tag", "tags"),
    "片段": ("snippet", "snippets", "passage", "passages", "segment", "segments"),
    "抽取": ("extract", "extracts", "extracted", "extracting", "extraction", "提取"),
    "抽检": ("spot check", "spot checks", "spot-check", "spot-checks", "spot checking", "spot-checking"),
    "元素": ("element", "elements"),
    "特征": ("feature", "features"),
    "符号": ("symbol", "symbols"),
    "空格": ("whitespace", "whitespaces"),
    "平方": ("square", "squared", "squares"),
    "平方根": ("square root", "square roots", "sqrt"),
    "斜率": ("slope", "slopes"),
    "相邻": ("adjacent", "neighboring", "neighbouring"),
    "中间": ("intermediate", "middle"),
    "层数": ("number of layers", "layer count"),
    "大小": ("size", "sizes"),
    "不同": ("different", "differently", "differ", "differs", "difference", "differences", "差异"),
    "相对": ("relative", "relatively"),
    "增量": ("incremental", "incrementally", "increment", "increments", "delta"),
    "相乘": ("multiply", "multiplies", "multiplied", "multiplying", "multiplication"),
    "高频": ("high-frequency", "high frequency"),
    # training and models
    "学习": ("learn", "learns", "learned", "learnt", "learning"),
    "继续": ("continue", "continues", "continued", "continuing"),
    "阶段": ("stage", "stages", "phase", "phases"),
    "从头": ("from scratch",),
    "多任务": ("multi-task", "multitask", "multiple tasks"),
    "语言": ("language", "languages", "linguistic"),
    "结构": ("structure", "structures", "structural"),
    "结构化": ("structured",),
    "容量": ("capacity",),
    "灾难性": ("catastrophic",),
    "世界知识": ("world knowledge",),
    "累积": ("accumulate", "accumulates", "accumulated", "accumulating", "accumulation"),
    "检查点": ("checkpoint", "checkpoints"),
    "门控": ("gate", "gates", "gated", "gating"),
    "分布式": ("distributed",),
    "回归": ("regression",),
    "实验": ("experiment", "experiments", "experimental", "experimentation"),
    "辅助": ("auxiliary",),
    "重要": ("important", "importance", "importantly"),
    "可解释性": ("interpretability", "interpretable"),
    "解释": ("explain", "explains", "explained", "explaining", "explanation", "explanations"),
    "人工": ("manual", "manually", "by hand", "hand-written", "handwritten", "human-written"),
    "模式": ("pattern", "patterns", "mode", "modes"),
    "可靠": ("reliable", "reliably", "reliability"),
    "额外": ("extra", "additional"),
    "直接": ("directly", "direct"),
    # systems, agents and serving
    "用户": ("user", "users"),
    "版本": ("version", "versions"),
    "接口": ("interface", "interfaces"),
    "模块": ("module", "modules"),
    "组件": ("component", "components"),
    "封装": ("wrapper", "wrappers", "wrap", "wraps", "wrapped", "encapsulate", "encapsulates",
           "encapsulated", "encapsulation"),
    "抽象": ("abstraction", "abstractions"),
    "执行": ("execute", "executes", "executed", "executing", "execution", "executor"),
    "请求": ("request", "requests", "requested"),
    "消息": ("message", "messages"),
    "历史": ("history", "histories", "historical"),
    "会话": ("session", "sessions"),
    "窗口": ("window", "windows"),
    "默认": ("default", "defaults", "by default"),
    "变量": ("variable", "variables"),
    "函数": ("function", "functions"),
    "服务": ("service", "services", "serving"),
    "服务器": ("server", "servers"),
    "映射": ("mapping", "mappings"),
    "集成": ("integrate", "integrates", "integrated", "integrating", "integration", "ensemble", "ensembles"),
    "记录": ("record", "records", "recorded", "recording"),
    "日志": ("logging",),
    "开销": ("overhead", "overheads"),
    "复用": ("reuse", "reuses", "reused", "reusing", "reusable", "re-use"),
    "切换": ("switch", "switches", "switched", "switching"),
    "自定义": ("custom", "customize", "customise", "customized", "customised", "customizable"),
    "意图": ("intent", "intents", "intention", "intentions"),
    "识别": ("identify", "identifies", "identified", "identification", "recognize", "recognise",
           "recognition"),
    "场景": ("scenario", "scenarios", "use case", "use cases"),
    "业务": ("business",),
    "外部": ("external", "externally"),
    "连接": ("connect", "connects", "connected", "connection", "connections"),
    "修改": ("modify", "modifies", "modified", "modification", "modifications"),
    "失败": ("fail", "fails", "failed", "failing", "failure", "failures"),
    "停止": ("stop", "stops", "stopped", "stopping"),
    "事件": ("event", "events"),
    "备用": ("backup", "backups"),
    "编号": ("numbered", "numbering"),
    "引用": ("cite", "cites", "cited", "citing", "citation", "citations"),
    "描述": ("description", "descriptions", "describe", "describes", "described"),
    "细节": ("detail", "details", "detailed"),
    "术语": ("terminology", "jargon"),
    "设计": ("design", "designs", "designed", "designing"),
    "选择": ("choose", "chooses", "choosing", "chose", "select", "selects", "selected", "selecting",
           "selection"),
    "匹配": ("match", "matches", "matched", "matching"),
    "区分": ("distinguish", "distinguishes", "distinguished", "tell apart"),
    "同时": ("simultaneously", "at the same time", "at once"),
    "优先": ("priority", "priorities", "prioritize", "prioritise", "prioritized", "prioritised",
           "prioritizes"),
    "管理": ("manage", "manages", "managed", "managing", "management"),
    "类型": ("type", "types"),
    "标准": ("criterion", "criteria", "standard", "standards"),
    "实现": ("implement", "implements", "implemented", "implementing", "implementation"),
    "测试": ("test", "tests", "tested", "testing"),
    "合规": ("compliance", "compliant"),
    "法律": ("law", "laws", "legal"),
    "法规": ("regulation", "regulations", "statute", "statutes"),
    "医疗": ("medical", "medicine", "healthcare", "clinical"),
    "金融": ("finance", "financial"),
    # Chinese variants of a glossary form
    "错误": ("误差",),
    "准确率": ("正确率",),
    "泄露": ("泄漏",),
    "成本": ("代价",),
    "打分": ("分数",),
}

# Chinese words that stand for themselves, so that a variant above is not read across a word boundary:
# "划分数据", "部分数据", "充分数据" hold 分数 but no score
GUARDS: tuple[str, ...] = ("分数据",)
