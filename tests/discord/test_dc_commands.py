"""The other slash commands end to end: clear private answers to bad input, the tree's error
handler, languages from the client locale and /lang, /forget's private confirmation buttons,
/me, /topics and /next."""

from __future__ import annotations

from dc_support import answer, custom_ids, deadline, force_questions, is_ephemeral, text_of


async def test_bad_input_gets_a_clear_private_answer(bot, fake, log_errors):
    alice = fake.user(11, "Alice")
    async with deadline():
        [msg] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "sft", "count": 99}))
        assert is_ephemeral(msg) and "from 1 to 10" in text_of(msg)
        [msg] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "微调模型"}))
        assert is_ephemeral(msg) and "`sft`" in text_of(msg)  # unknown topic, with a suggestion
        # a command Discord still lists but this version does not know: the engine explains
        [msg] = await fake.wait_response(await fake.slash("nosuch", alice))
        assert is_ephemeral(msg) and "Unknown command `/nosuch`" in text_of(msg)
    assert log_errors.records == []


async def test_tree_errors_are_reported_privately(bot, fake, log_errors):
    async with deadline():
        # a choice value outside the declared choices fails in discord.py's transformer
        rec = await fake.slash("lang", fake.user(11, "Alice"), {"language": "fr"})
        [msg] = await fake.wait_response(rec)
    assert is_ephemeral(msg) and "something went wrong" in text_of(msg)
    assert len(log_errors.records) == 1 and "failed" in log_errors.messages()[0]
    log_errors.clear()


async def test_language_from_locale_and_lang_command(bot, fake):
    alice = fake.user(11, "Alice")
    async with deadline():
        # a new channel takes the language of the first member's client
        [msg] = await fake.wait_response(await fake.slash("help", alice, locale="zh-CN", channel=42))
        assert "面试刷题" in text_of(msg)
        [msg] = await fake.wait_response(await fake.slash("lang", alice, {"language": "en"}, channel=42))
        assert "English" in text_of(msg) or "language" in text_of(msg).lower()
        [msg] = await fake.wait_response(await fake.slash("help", alice, locale="zh-CN", channel=42))
        assert "interview practice" in text_of(msg)
        # the modal speaks the member's language
        rec = await fake.slash("quiz", alice, {"topic": "sft"}, locale="zh-CN", channel=42)
        [question] = await fake.wait_response(rec)
        press = await fake.press(question, custom_ids(question)[0], alice, locale="zh-CN")
        modal = await fake.wait_until(lambda: press.modal)
        assert modal["title"] == "你的答案"


async def test_forget_asks_privately_and_deletes(bot, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-why-dumber")
    bob = fake.user(12, "Bob")
    async with deadline():
        [question] = await fake.wait_response(await fake.slash("quiz", bob, {"topic": "sft"}))
        await answer(fake, question, bob, "灾难性遗忘")
        [stats] = await fake.wait_response(await fake.slash("me", bob))
        assert "Bob" in text_of(stats)

        [confirm] = await fake.wait_response(await fake.slash("forget", bob))
        assert is_ephemeral(confirm) and custom_ids(confirm) == ["qb:forget:yes:12", "qb:forget:no:12"]
        [no] = await fake.wait_response(await fake.press(confirm, "qb:forget:no:12", bob))
        assert is_ephemeral(no)
        [done] = await fake.wait_response(await fake.press(confirm, "qb:forget:yes:12", bob))
        assert is_ephemeral(done) and "1" in text_of(done)


async def test_topics_and_next(bot, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "sft-what-learns", "sft-chat-or-base")
    alice = fake.user(11, "Alice")
    async with deadline():
        [topics] = await fake.wait_response(await fake.slash("topics", alice))
        assert "`sft`" in text_of(topics) and "`arch`" in text_of(topics)
        [first] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "sft"}))
        [busy] = await fake.wait_response(await fake.slash("next", alice))
        assert is_ephemeral(busy) and "already open" in text_of(busy)
        await fake.wait_response(await fake.slash("skip", alice))  # the starter may skip their round
        [second] = await fake.wait_response(await fake.slash("next", alice))
        assert not is_ephemeral(second) and text_of(second) != text_of(first)
