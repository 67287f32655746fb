"""The message catalogue: every sentence the bot says, in Chinese and English.

Kept apart from ``bot.replies`` (the output types) because it is long and edited by different
hands. ``say(lang, key, **fields)`` formats one entry; a missing key falls back to English.
Values are Markdown; user-supplied fields are escaped by the caller (``bot.views.md_escape``).
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # the title of /help; the command lines follow, generated from the command registry
    "help": {
        "zh": ("**quizbot 面试刷题机器人**\n回复题目消息（Telegram）或点「作答」（Discord）作答，控制台上用 "
               "`/to N` 指定第 #N 题；选择题点选选项。公布前再次回复同一道题会补充到你的答案里（合并评分），"
               "编辑某条回复只替换那一段。「私下作答」（Telegram，仅限本群成员）和 Discord 的「作答」表单都是私下的："
               "群里只显示得分，不显示内容。公布后点「📝 我的反馈」只给你自己看结果，点「⚑ 报告问题」或发 `/flag` "
               "报告有误的题目。"
               "每日一题和按需测验可以同时进行：答案交给你回复的那道题；`/skip`、`/stop`、`/next` 只管测验，"
               "每日一题在公布时结束（管理员可用 `/reveal daily`）。"),
        "en": (
            "**quizbot: interview practice**\n"
            "Answer by replying to the question (Telegram) or tapping Answer (Discord); on the console, `/to N` "
            "picks question #N. Pick an option for choice questions. Another reply to the same question before "
            "the reveal adds to your answer (graded as a whole); editing a reply replaces that part. *Answer "
            "privately* (Telegram, members only) and Discord's Answer form are private: the group sees the score, "
            "never the text. Under a reveal, *📝 My feedback* shows you your own result and *⚑ Report a problem* "
            "(or `/flag`) reports a faulty question. The question of the day and a quiz can run side by side: an "
            "answer goes to the question it replies to; `/skip`, `/stop` and `/next` act on the quiz, and the "
            "question of the day ends at its reveal (admins: `/reveal daily`)."
        ),
    },
    "welcome": {
        "zh": "你好！我是 quizbot，陪你准备大模型面试。发送 `/quiz` 开始，`/help` 查看全部命令。",
        "en": "Hi! I'm quizbot, here to help you prepare for LLM interviews. Send `/quiz` to start, `/help` for all commands.",
    },
    "unknown_command": {
        "zh": "不认识的命令 `/{name}`。发送 `/help` 查看可用命令。",
        "en": "Unknown command `/{name}`. Send `/help` to see what I can do.",
    },
    "unknown_topic": {
        "zh": "没有找到主题「{query}」。{suggest}发送 `/topics` 查看全部主题。",
        "en": "No topic called “{query}”. {suggest}Send `/topics` for the full list.",
    },
    "did_you_mean": {"zh": "你是不是想找：{names}？", "en": "Did you mean: {names}? "},
    "bad_count": {
        "zh": "题数必须是 1 到 {max} 之间的整数。",
        "en": "The number of questions must be a whole number from 1 to {max}.",
    },
    "round_running": {
        "zh": "这里已经有一道测验题在进行中。先作答，或用 `/reveal`、`/skip`、`/stop`。",
        "en": "A quiz question is already open here. Answer it, or use `/reveal`, `/skip` or `/stop`.",
    },
    # /reveal, /skip, /stop act on the quiz; the question of the day ends at its reveal
    "no_quiz_daily_open": {
        "zh": "这里没有进行中的测验。每日一题将于{when}公布答案；管理员可用 `/reveal daily` 立即公布。",
        "en": "No quiz is running here. The question of the day is revealed {when}; admins can reveal it now "
              "with `/reveal daily`.",
    },
    "daily_ends_at_reveal": {
        "zh": "每日一题不能跳过或结束，它在公布答案时结束（{when}）。管理员可用 `/reveal daily` 立即公布。",
        "en": "The question of the day cannot be skipped or stopped: it ends at its reveal ({when}). Admins can "
              "reveal it now with `/reveal daily`.",
    },
    "no_daily_open": {"zh": "这里没有进行中的每日一题。", "en": "No question of the day is open here."},
    "already_revealed": {"zh": "那道题已经结束了，答案已公布或已跳过。", "en": "That question has already ended (revealed or skipped)."},
    "reveal_just_posted": {
        "zh": "上一题已经结束，第 {seq} 题刚刚发出，所以这次 `/reveal` 没有公布它。如果要公布这一题，请几秒后再发送 `/reveal`。",
        "en": "The previous question has ended and question {seq} was posted just now, so this `/reveal` did not "
              "reveal it. Send `/reveal` again in a few seconds if you mean this one.",
    },
    "bad_reveal_arg": {
        "zh": "`/reveal` 不带参数（公布测验的当前题），或写 `/reveal daily`（公布每日一题）。",
        "en": "`/reveal` takes nothing (the quiz's current question) or `daily` (the question of the day).",
    },
    # /to (the console): which open question plain answers go to
    "to_set": {
        "zh": "你接下来的答案会交给 #{n}：{prompt}\n只发 `/to` 恢复为回答最新的题。",
        "en": "Your answers now go to #{n}: {prompt}\n`/to` alone goes back to the most recent question.",
    },
    "to_reset": {"zh": "你的答案恢复为交给最新的题。", "en": "Your answers go to the most recent question again."},
    "to_usage": {
        "zh": "用法：`/to N [答案]`，N 是控制台上题目旁显示的 #N。",
        "en": "Usage: `/to N [answer]`, where N is the #N shown next to a question on the console.",
    },
    "to_not_open": {"zh": "这里没有进行中的 #{n} 题。", "en": "Question #{n} is not open here."},
    "to_console_only": {
        "zh": "`/to` 只用于控制台。在这里请回复题目消息（Telegram）或点题目下的「作答」按钮（Discord）。",
        "en": "`/to` is for the console. Here, reply to the question (Telegram) or tap its Answer button (Discord).",
    },
    "no_questions": {"zh": "这个主题暂时没有题目。", "en": "This topic has no questions yet."},
    "question_header": {"zh": "**第 {seq}/{total} 题** · {topic}", "en": "**Question {seq}/{total}** · {topic}"},
    "daily_header": {"zh": "**每日一题** · {date} · {topic}", "en": "**Question of the day** · {date} · {topic}"},
    "open_hint": {
        "zh": "回复本消息作答（{window}内；公布前再次回复会补充到你的答案里）。",
        "en": "Reply to this message to answer (within {window}; another reply before the reveal adds to your answer).",
    },
    "open_hint_daily": {
        "zh": "回复本消息或私聊作答，{when} 公布答案。",
        "en": "Reply to this message or answer privately; the answer is revealed {when}.",
    },
    "open_hint_button": {
        "zh": "点「作答」按钮私下作答（{window}内；公布前再次提交会补充到你的答案里）。",
        "en": "Tap “Answer” to answer privately (within {window}; another answer before the reveal adds to yours).",
    },
    "open_hint_daily_button": {
        "zh": "点「作答」按钮私下作答，{when} 公布答案。",
        "en": "Tap “Answer” to answer privately; the answer is revealed {when}.",
    },
    # {when} of a daily question's reveal: the time, or the day and time when it is not today
    "when_today": {"zh": "今天 {time}", "en": "at {time}"},
    "when_tomorrow": {"zh": "明天 {time}", "en": "tomorrow at {time}"},
    "when_date": {"zh": "{date} {time}", "en": "on {date} at {time}"},
    "choice_hint_daily": {
        "zh": "选择一个选项（以第一次选择为准），{when} 公布答案。",
        "en": "Pick an option (first pick counts); the answer is revealed {when}.",
    },
    "open_hint_private": {"zh": "直接发送你的答案。", "en": "Send your answer."},
    "choice_hint": {"zh": "选择一个选项（以第一次选择为准，{window}内）。", "en": "Pick an option (first pick counts; {window})."},
    "discussion_note": {"zh": "（讨论题：没有标准答案，参与即得分）", "en": "(Discussion question: no model answer, taking part scores.)"},
    "answer_privately": {"zh": "私下作答", "en": "Answer privately"},
    "answer_button": {"zh": "作答", "en": "Answer"},
    "next_button": {"zh": "下一题", "en": "Next question"},
    "ack_new": {"zh": "已收到 {name} 的答案。", "en": "Got your answer, {name}."},
    "ack_changed": {"zh": "已更新 {name} 的答案。", "en": "Updated your answer, {name}."},
    # a follow-up to the same question: appended, or an edited message replacing its own part
    "ack_added": {
        "zh": "已把 {name} 的补充并入答案：共 {n} 段，合并评分。",
        "en": "Added to your answer, {name}: {n} parts, graded as a whole.",
    },
    "ack_edited": {
        "zh": "已用修改后的内容替换 {name} 答案中的那一段：共 {n} 段，合并评分。",
        "en": "Replaced that part of your answer, {name}: {n} parts, graded as a whole.",
    },
    "ack_pick": {"zh": "已记录 {name} 的选择。", "en": "Recorded your pick, {name}."},
    "already_picked": {"zh": "你已经选过了，以第一次选择为准。", "en": "You already picked; your first pick counts."},
    "round_closed": {
        "zh": "这道题已经结束（答案已公布），不再计分。发送 `/quiz` 开始新的一轮。",
        "en": "That question is closed (the answer was revealed), so this answer is not scored. Send `/quiz` for a new one.",
    },
    "no_open_round": {
        "zh": "现在没有进行中的题目。发送 `/quiz` 开始。",
        "en": "There is no open question right now. Send `/quiz` to start one.",
    },
    "empty_answer": {"zh": "答案是空的，请写下你的回答。", "en": "Your answer is empty; please write something."},
    "no_words": {
        "zh": "答案里没有可评分的文字（只有表情或符号），未记录。",
        "en": "Your answer has no words to grade (only emoji or symbols), so it was not recorded.",
    },
    "too_long": {
        "zh": "答案太长（{n} 字），上限 {max} 字，未记录。请精简后再发。",
        "en": "Your answer is too long ({n} characters, limit {max}); it was not recorded. Please shorten it.",
    },
    "too_long_total": {
        "zh": "加上这一段，你的答案共 {n} 字，超过上限 {max} 字，这一段未添加。",
        "en": "With this part your answer would be {n} characters, over the limit of {max}; this part was not added.",
    },
    "answer_retry": {
        "zh": "你的几条答案同时到达，这一条没有记录，请再发一次。",
        "en": "Several of your answers arrived at once and this one was not recorded; please send it again.",
    },
    "pick_option": {
        "zh": "这是选择题：请点选选项，或发送选项编号（如 `1` 或 `A`）。",
        "en": "This is a choice question: tap an option or send its number or letter (e.g. `1` or `A`).",
    },
    "bad_option": {"zh": "没有这个选项。", "en": "There is no such option."},
    "private_prompt": {
        "zh": "请发送你对下面这道题的答案（只有你和我能看到）：\n\n{prompt}",
        "en": "Send me your answer to this question (only you and I can see it):\n\n{prompt}",
    },
    "private_round_gone": {"zh": "那道题已经结束了。", "en": "That question has already closed."},
    # a private-answer link or button refused: says why; nothing was changed
    "link_invalid": {
        "zh": "这个作答链接无效（可能不完整或已过期）。请点群里题目下方的「私下作答」按钮。",
        "en": "This answer link is not valid (incomplete or outdated). Tap “Answer privately” under the question in the group.",
    },
    "link_other_platform": {
        "zh": "这道题属于另一个平台的群，只能在那个平台上作答。",
        "en": "This question belongs to a chat on another platform; answer it there.",
    },
    "not_member": {
        "zh": "只有这个群的成员可以回答它的题目。",
        "en": "Only members of that chat can answer its questions.",
    },
    "member_unknown": {
        "zh": "暂时无法确认你是否是这个群的成员，请稍后再点一次链接。",
        "en": "I could not check that you are a member of that chat just now; please open the link again in a moment.",
    },
    "not_your_button": {"zh": "这不是你的按钮。", "en": "This is not your button."},
    "answered_privately": {"zh": "私下作答", "en": "answered privately"},
    "not_admin": {
        "zh": "抱歉，只有群管理员可以使用 `/{name}`。",
        "en": "Sorry, only chat admins can use `/{name}`.",
    },
    "not_starter": {
        "zh": "只有发起这一轮的人或管理员可以使用 `/{name}`。",
        "en": "Only the member who started this round or an admin can use `/{name}`.",
    },
    "reveal_title": {"zh": "**答案揭晓** · {prompt}", "en": "**Answer** · {prompt}"},
    "model_answer": {"zh": "**参考答案**", "en": "**Model answer**"},
    "checklist": {"zh": "**要点清单**", "en": "**Key points**"},
    "scores": {"zh": "**得分**", "en": "**Scores**"},
    # the reveal, per member: why a score was held down, and a score the LLM judge could not give
    "cap_term_list": {"zh": "请用完整的句子解释，而不是罗列关键词", "en": "explain in sentences rather than listing terms"},
    "cap_length": {"zh": "答案过长，得分按长度折算", "en": "a long answer: coverage weighed against its length"},
    "cap_negated": {"zh": "答案大多在否定要点，而不是解释它们", "en": "the answer mostly denies the points instead of explaining them"},
    "cap_off_topic": {"zh": "答案说的不是本题的内容，按离题计分", "en": "off topic: the answer is about another subject"},
    "cap_foreign": {"zh": "提到要点的句子大多在说参考答案没有的内容，这些要点不计分",
                    "en": "the points are named only inside claims the model answer does not make: they earn nothing"},
    "cap_stray": {"zh": "答案有不少内容是参考答案没有说的，扣 1 分", "en": "much of the answer says things the model answer does not: one point off"},
    "cap_monotone": {"zh": "答案说某样东西越多（或越少）越好，参考答案没有这样说，扣 1 分",
                     "en": "claims more (or less) of something is always better, which the model answer does not: one point off"},
    "local_mark": {"zh": "（本地评分）", "en": "(local score)"},
    "judge_note": {
        "zh": "评分：{judge}；标注「本地评分」的答案由本地评分器打分（模型未能及时评分）。",
        "en": "Graded by {judge}; answers marked “local score” were graded locally (the model could not judge them in time).",
    },
    "no_answers": {"zh": "本题无人作答。", "en": "Nobody answered this one."},
    "correct_option": {"zh": "**正确答案**：{option}", "en": "**Correct answer**: {option}"},
    "members_answers": {"zh": "**大家的回答**", "en": "**What members said**"},
    "skipped": {"zh": "已跳过本题，不计分。", "en": "Question skipped; not scored."},
    "stopped": {"zh": "本轮测验已结束。", "en": "The quiz was stopped."},
    # under the model answer of an open question: the best answer posted in the group
    "best_answer": {"zh": "**本群最佳回答** · {name}（{score}/10）", "en": "**Best answer in the chat** · {name} ({score}/10)"},
    "ranking_legend": {"zh": "_括号内为计分的答题数。_", "en": "_In brackets: answers scored._"},
    "ranking_title": {"zh": "**本轮排名**（{n} 题）", "en": "**Round ranking** ({n} questions)"},
    "board_title": {"zh": "**排行榜 · {period}**", "en": "**Leaderboard · {period}**"},
    "board_empty": {"zh": "这个时间段还没有得分。", "en": "No scores in this period yet."},
    "period_week": {"zh": "本周", "en": "this week"},
    "period_month": {"zh": "本月", "en": "this month"},
    "period_all": {"zh": "总榜", "en": "all time"},
    "bad_period": {
        "zh": "时间段只能是 本周、本月 或 总榜（也可写 week、month、all）。",
        "en": "The period must be week, month or all (本周, 本月, 总榜 work too).",
    },
    "me_title": {"zh": "**{name} 的统计**", "en": "**Stats for {name}**"},
    "me_body": {
        "zh": "- 已答题：{answered}\n- 平均分：{avg}\n- 连续打卡：{streak}（最长 {best} 天）\n- 最强主题：{strong}\n- 待加强：{weak}",
        "en": "- Answered: {answered}\n- Average score: {avg}\n- Daily streak: {streak} (best {best})\n- Strongest topic: {strong}\n- Weakest topic: {weak}",
    },
    "days_one": {"zh": "{n} 天", "en": "{n} day"},
    "days_many": {"zh": "{n} 天", "en": "{n} days"},
    "topic_avg": {"zh": "{topic}（均分 {avg}）", "en": "{topic} (average {avg})"},
    "topics_legend": {
        "zh": "_每个主题后：题数（✓ 其中有参考答案的题数，其余为讨论题）。_",
        "en": "_After each topic: questions (✓ those with a model answer; the rest are discussion questions)._",
    },
    "me_empty": {"zh": "你还没有答过题。发送 `/quiz` 开始吧！", "en": "You haven't answered anything yet. Send `/quiz` to start!"},
    "topics_title": {"zh": "**题库主题**（共 {n} 题）", "en": "**Topics** ({n} questions)"},
    "lang_set": {"zh": "语言已切换为中文。", "en": "Language set to English."},
    "bad_lang": {"zh": "用法：`/lang zh` 或 `/lang en`", "en": "Usage: `/lang zh` or `/lang en`"},
    "forget_confirm": {
        "zh": "确定要删除你在所有群里的全部答题记录、分数和复习卡片吗？此操作不可撤销。",
        "en": "Delete all your answers, scores and review cards in every chat? This cannot be undone.",
    },
    "forget_yes": {"zh": "确认删除", "en": "Yes, delete"},
    "forget_no": {"zh": "取消", "en": "Cancel"},
    "forget_done": {"zh": "已删除你的 {n} 条答题记录。", "en": "Deleted {n} of your answers and their scores."},
    "forget_cancel": {"zh": "已取消，什么都没有删除。", "en": "Cancelled; nothing was deleted."},
    "daily_exists": {"zh": "今天的每日一题已经发布过了。", "en": "Today's question of the day has already been posted."},
    "daily_sending": {"zh": "今天的每日一题正在发送中，请稍候。", "en": "Today's question of the day is being posted right now."},
    "internal_error": {
        "zh": "抱歉，处理时出了点问题，已记录。请稍后再试。",
        "en": "Sorry, something went wrong on my side; it has been logged. Please try again.",
    },
    "unknown_button": {"zh": "这个按钮已失效。", "en": "This button is no longer valid."},
    "result_title": {"zh": "**你的得分：{score}/10**", "en": "**Your score: {score}/10**"},
    # "My feedback" under a reveal: a member's own result, shown to them alone (bot.feedback)
    "feedback_button": {"zh": "📝 我的反馈", "en": "📝 My feedback"},
    "feedback_title": {"zh": "**你的结果** · {prompt}", "en": "**Your result** · {prompt}"},
    "feedback_score": {"zh": "得分：{score}/10（{judge}）", "en": "Score: {score}/10 ({judge})"},
    "feedback_by_local": {"zh": "本地评分", "en": "local grader"},
    "feedback_by_llm": {"zh": "模型 {model} 评分", "en": "judged by {model}"},
    "feedback_by_fallback": {"zh": "模型未能评分，按本地评分", "en": "the model could not judge it: local score"},
    "feedback_hits": {"zh": "命中要点：{points}", "en": "Points hit: {points}"},
    "feedback_contradicted": {"zh": "被你否定的要点：✗ {points}", "en": "Points your answer denies: ✗ {points}"},
    "feedback_cap": {"zh": "分数封顶：{reason}", "en": "Score capped: {reason}"},
    "feedback_notes": {"zh": "评分说明：{text}", "en": "Grader's notes: {text}"},
    "feedback_judge": {"zh": "模型评语：{text}", "en": "Judge's feedback: {text}"},
    "feedback_no_answer": {"zh": "你没有回答这道题。", "en": "You did not answer this question."},
    "feedback_not_yet": {"zh": "公布答案之后才能查看你的反馈。", "en": "Your feedback is available after the reveal."},
    "feedback_sent_privately": {"zh": "完整反馈已私信发给你。", "en": "The full feedback is in your private chat with me."},
    "feedback_open_bot": {
        "zh": "全文请先私聊我并点“开始”，再点一次按钮。",
        "en": "For the full text, open a private chat with me (Start), then press again.",
    },
}


def say_from(table: dict[str, dict[str, str]], lang: str, key: str, **fields: object) -> str:
    """One entry of a zh/en message table, formatted; English when the language is missing."""
    entry = table[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**fields) if fields else text


def say(lang: str, key: str, **fields: object) -> str:
    return say_from(MESSAGES, lang, key, **fields)


def pick_lang(locale: str | None, default: str) -> str:
    """Chat language from a platform locale ('zh-hans', 'zh-CN' -> zh; 'en-US' -> en)."""
    if not locale:
        return default
    locale = locale.lower()
    if locale.startswith("zh"):
        return "zh"
    if locale.startswith("en"):
        return "en"
    return default
