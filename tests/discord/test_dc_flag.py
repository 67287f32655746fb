"""End to end: /flag as a slash command with a reason, and the report button under a reveal pressed
by another member; both answered privately and stored for the revealed question."""

from __future__ import annotations

from dc_support import custom_ids, deadline, force_questions, is_ephemeral, text_of


async def test_flag_command_and_report_button(bot, fake, engine, monkeypatch):
    force_questions(monkeypatch, engine, "arch-chatglm-family")
    alice, bob, carol = fake.user(31, "Alice"), fake.user(32, "Bob"), fake.user(33, "Carol")
    async with deadline():
        [question] = await fake.wait_response(await fake.slash("quiz", alice, {"topic": "arch"}))
        reveal_rec = await fake.slash("reveal", alice, admin=True)
        [reveal] = await fake.wait_response(reveal_rec)
        [report] = [c for c in custom_ids(reveal) if c.startswith("qb:flag:")]
        assert len(report) <= 100

        flagged = await fake.slash("flag", bob, {"reason": "**选项** @everyone 有两个对的"})
        [ack] = await fake.wait_response(flagged)
        assert is_ephemeral(ack) and "1/3" in text_of(ack)
        assert "\\*\\*选项\\*\\*" in text_of(ack)  # the reason is escaped, not formatted
        assert (ack.get("allowed_mentions") or {}).get("parse", []) == []  # and pings nobody

        pressed = await fake.press(reveal, report, carol)
        [ack2] = await fake.wait_response(pressed)
        assert is_ephemeral(ack2) and "2/3" in text_of(ack2)
    rows = await engine.store.fetchall("SELECT question_id, user_key, reason FROM flags ORDER BY id")
    assert [tuple(r) for r in rows] == [("arch-chatglm-family", "discord:32", "**选项** @everyone 有两个对的"),
                                        ("arch-chatglm-family", "discord:33", "")]
