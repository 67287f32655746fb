"""The database schema as forward migrations; ``PRAGMA user_version`` says how many have run.

Append new migrations at the end; never edit one that has shipped (users upgrade in place).
"""

MIGRATIONS: list[str] = [
    # v1: the whole first schema
    """
    CREATE TABLE chats (
        key TEXT PRIMARY KEY,            -- 'platform:id'
        platform TEXT NOT NULL,
        private INTEGER NOT NULL DEFAULT 0,
        title TEXT NOT NULL DEFAULT '',
        lang TEXT,
        tz TEXT,
        active INTEGER NOT NULL DEFAULT 1,
        created_at REAL NOT NULL
    );
    CREATE TABLE users (
        key TEXT PRIMARY KEY,            -- 'platform:id'
        name TEXT NOT NULL DEFAULT '',
        updated_at REAL NOT NULL
    );
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        chat_key TEXT NOT NULL REFERENCES chats(key),
        started_by TEXT,
        topic TEXT,
        total INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'active',
        created_at REAL NOT NULL
    );
    CREATE TABLE rounds (
        id INTEGER PRIMARY KEY,
        chat_key TEXT NOT NULL REFERENCES chats(key),
        question_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        kind TEXT NOT NULL,              -- quiz | daily
        status TEXT NOT NULL,            -- open | closed
        started_by TEXT,
        opened_at REAL NOT NULL,
        closes_at REAL,
        closed_at REAL,
        session_id INTEGER REFERENCES sessions(id),
        seq INTEGER NOT NULL DEFAULT 1,
        local_date TEXT,
        skipped INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX rounds_chat_status ON rounds(chat_key, status);
    CREATE INDEX rounds_due ON rounds(status, closes_at);
    CREATE INDEX rounds_chat_topic ON rounds(chat_key, topic, question_id);
    CREATE TABLE answers (
        round_id INTEGER NOT NULL REFERENCES rounds(id),
        user_key TEXT NOT NULL,
        chat_key TEXT NOT NULL,
        user_name TEXT NOT NULL DEFAULT '',
        text TEXT,
        choice INTEGER,
        score INTEGER NOT NULL,
        hits TEXT NOT NULL DEFAULT '[]',
        submitted_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        local_date TEXT NOT NULL,
        topic TEXT NOT NULL,
        revisions INTEGER NOT NULL DEFAULT 0,  -- how often the member changed the answer
        PRIMARY KEY (round_id, user_key)  -- one answer per member per round, enforced here
    );
    CREATE INDEX answers_user_date ON answers(user_key, local_date);
    CREATE TABLE scores (               -- written at the reveal: what leaderboards add up
        round_id INTEGER NOT NULL REFERENCES rounds(id),
        user_key TEXT NOT NULL,
        chat_key TEXT NOT NULL,
        score INTEGER NOT NULL,
        topic TEXT NOT NULL,
        scored_at REAL NOT NULL,
        PRIMARY KEY (round_id, user_key)
    );
    CREATE INDEX scores_board ON scores(chat_key, scored_at, user_key, score);
    CREATE INDEX scores_user ON scores(user_key, topic, score);
    CREATE TABLE totals (               -- all-time board per chat, kept in step with scores
        chat_key TEXT NOT NULL,
        user_key TEXT NOT NULL,
        total INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (chat_key, user_key)
    );
    CREATE INDEX totals_board ON totals(chat_key, total DESC, n);
    CREATE TABLE links (                 -- platform message / poll id -> round
        kind TEXT NOT NULL,
        ref TEXT NOT NULL,
        round_id INTEGER NOT NULL REFERENCES rounds(id),
        PRIMARY KEY (kind, ref)
    );
    CREATE TABLE pending_private (       -- 'answer privately': the user's next private message
        user_key TEXT PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES rounds(id),
        set_at REAL NOT NULL
    );
    CREATE TABLE daily_posts (           -- exactly one question of the day per chat and local date
        chat_key TEXT NOT NULL,
        local_date TEXT NOT NULL,
        round_id INTEGER REFERENCES rounds(id),
        posted_at REAL NOT NULL,
        PRIMARY KEY (chat_key, local_date)
    );
    CREATE TABLE schedules (
        chat_key TEXT PRIMARY KEY REFERENCES chats(key),
        post_time TEXT NOT NULL,         -- 'HH:MM' local
        tz TEXT NOT NULL,
        topics TEXT NOT NULL DEFAULT '[]',
        reveal TEXT NOT NULL,            -- 'HH:MM' local or '+Nh'
        days TEXT NOT NULL DEFAULT 'daily',
        enabled INTEGER NOT NULL DEFAULT 1,
        remind INTEGER NOT NULL DEFAULT 0,
        updated_at REAL NOT NULL
    );
    CREATE TABLE seen_updates (
        key TEXT PRIMARY KEY,
        seen_at REAL NOT NULL
    )
    """,
    # choice options shown in a per-round order; members' reports of faulty questions
    """
    -- option_order: JSON list, shown position -> bank option index (NULL: the bank's order)
    ALTER TABLE rounds ADD COLUMN option_order TEXT;
    CREATE TABLE flags (
        id INTEGER PRIMARY KEY,
        question_id TEXT NOT NULL,
        chat_key TEXT NOT NULL,
        user_key TEXT NOT NULL,
        round_id INTEGER REFERENCES rounds(id),
        reason TEXT NOT NULL DEFAULT '',
        flagged_at REAL NOT NULL,
        cleared_at REAL                  -- set by 'quizbot questions unflag'
    );
    CREATE INDEX flags_open ON flags(question_id, cleared_at, user_key)
    """,
    # the personal review queue (FSRS): members with their reminder, cards, review log, the card shown
    """
    CREATE TABLE review_members (
        id INTEGER PRIMARY KEY,          -- a small key for the cards (a user key repeated 5 M times is not)
        user_key TEXT NOT NULL UNIQUE,   -- 'platform:id': one queue per person and platform, across chats
        dm_chat TEXT,                    -- the private chat reminders go to
        remind_time TEXT,                -- 'HH:MM' local; NULL: reminders off
        remind_tz TEXT,
        remind_next REAL,                -- UTC epoch of the next reminder; NULL when off
        reminded_on TEXT                 -- the local date of the last reminder: at most one a day
    );
    CREATE INDEX review_members_remind ON review_members(remind_next) WHERE remind_next IS NOT NULL;
    CREATE TABLE review_cards (
        member_id INTEGER NOT NULL,
        question_id TEXT NOT NULL,
        state INTEGER NOT NULL,          -- fsrs.State: 1 learning, 2 review, 3 relearning
        step INTEGER,
        stability REAL,
        difficulty REAL,
        due REAL NOT NULL,               -- UTC epoch seconds
        last_review REAL,
        PRIMARY KEY (member_id, question_id)
    ) WITHOUT ROWID;
    -- a member's next due card from the index alone: (member_id, due) plus the key it carries
    CREATE INDEX review_cards_due ON review_cards(member_id, due);
    CREATE TABLE review_log (
        id INTEGER PRIMARY KEY,
        member_id INTEGER NOT NULL,
        question_id TEXT NOT NULL,
        rating INTEGER NOT NULL,         -- fsrs.Rating: 1 again, 2 hard, 3 good, 4 easy
        score INTEGER NOT NULL,          -- 0..10 as graded
        state_before INTEGER,            -- the card's state before this review; NULL: a new card
        reviewed_at REAL NOT NULL,
        duration_ms INTEGER,             -- from the question shown to the answer
        source TEXT NOT NULL             -- review | quiz | daily
    );
    CREATE INDEX review_log_member ON review_log(member_id, reviewed_at);
    CREATE TABLE review_current (        -- the card /review showed, waiting for the member's answer
        member_id INTEGER PRIMARY KEY,
        chat_key TEXT NOT NULL,
        question_id TEXT NOT NULL,
        item INTEGER NOT NULL,           -- grows with every card shown: a button of an older card is refused
        shown_at REAL NOT NULL
    )
    """,
    # grading layers: the local score beside the judge's, what the reveal shows, the LLM judge's
    # cache and daily call count
    """
    -- score stays the score that counts (the judge's when it judged, else local_score);
    -- judge: who gave score (local | llm:<model>); judge_state: NULL when no judge is configured,
    -- pending (queued), done (judged), failed (fell back to the local grade);
    -- contradicted: JSON list of key points; capped: term_list | length | NULL
    ALTER TABLE answers ADD COLUMN local_score INTEGER;
    ALTER TABLE answers ADD COLUMN judge_score INTEGER;
    ALTER TABLE answers ADD COLUMN judge TEXT NOT NULL DEFAULT 'local';
    ALTER TABLE answers ADD COLUMN judge_state TEXT;
    ALTER TABLE answers ADD COLUMN contradicted TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE answers ADD COLUMN capped TEXT;
    ALTER TABLE answers ADD COLUMN feedback TEXT NOT NULL DEFAULT '';
    CREATE INDEX answers_judge_pending ON answers(round_id) WHERE judge_state = 'pending';
    CREATE TABLE judge_cache (           -- one LLM judgement per (question, model, normalised answer)
        question_id TEXT NOT NULL,
        model TEXT NOT NULL,
        answer_hash TEXT NOT NULL,       -- sha256 of the normalised answer
        question_hash TEXT NOT NULL,     -- the question as judged: an edited question is judged again
        score INTEGER NOT NULL,
        verdicts TEXT NOT NULL,          -- JSON list of hit | partial | missed | contradicted, by key point
        feedback TEXT NOT NULL,
        judged_at REAL NOT NULL,
        PRIMARY KEY (question_id, model, answer_hash)
    ) WITHOUT ROWID;
    CREATE TABLE judge_usage (           -- LLM calls made per UTC day, for the daily budget
        day TEXT PRIMARY KEY,
        calls INTEGER NOT NULL
    )
    """,
    # v5: durable pushes. A message nobody asked for (the question of the day, a timed reveal and
    # what follows it) is recorded in the transaction that opens or closes its round, then sent and
    # marked; until then the runtime retries it with backoff, across outages and restarts.
    """
    CREATE TABLE pushes (
        id INTEGER PRIMARY KEY,
        chat_key TEXT NOT NULL,
        round_id INTEGER,                -- the round it shows (question) or reveals (reveal)
        kind TEXT NOT NULL,              -- question | reveal | other
        replies TEXT,                    -- JSON list of replies; NULL until attached (rebuilt from the round)
        sent INTEGER NOT NULL DEFAULT 0, -- how many of the replies went out (a retry goes on from there)
        refs TEXT NOT NULL DEFAULT '[]', -- platform ids of what went out (Telegram message ids)
        status TEXT NOT NULL DEFAULT 'pending',  -- pending | sending | sent | dropped | failed
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at REAL NOT NULL,
        created_at REAL NOT NULL,
        done_at REAL,
        error TEXT
    );
    CREATE INDEX pushes_due ON pushes(status, next_at);
    CREATE UNIQUE INDEX pushes_round_kind ON pushes(round_id, kind) WHERE round_id IS NOT NULL;
    -- the question of the day: recorded when the day's claim gets its round (same transaction);
    -- the poster attaches and sends it at once, the ticker retries it after a grace of 30 s
    CREATE TRIGGER pushes_daily AFTER UPDATE OF round_id ON daily_posts
    WHEN NEW.round_id IS NOT NULL AND OLD.round_id IS NULL
    BEGIN INSERT OR IGNORE INTO pushes(chat_key, round_id, kind, next_at, created_at) VALUES (NEW.chat_key, NEW.round_id, 'question', NEW.posted_at + 30, NEW.posted_at); END
    """,
    # v6: privacy. An answer written in a private chat (a deep link) or a private form (Discord) is
    # marked so a group reveal shows its score but never its text; the secret signs the deep-link
    # payloads that open a private answer, so a round cannot be answered by guessing its id.
    """
    ALTER TABLE answers ADD COLUMN private INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        created_at REAL NOT NULL
    ) WITHOUT ROWID
    """,
    # v7: where groups really are. thread: the forum topic (platform thread id, '' = the chat's main
    # place) a round was asked in and a schedule posts to; paused: why the bot itself paused a schedule
    # (inactive: removed from the chat; thread_gone: its topic was deleted), resumed or shown to the
    # admins by that reason; notice: what the chat's admins are told on their next command;
    # lang_set: the chat's language was chosen with /lang (else a private chat follows the member's
    # client language); chat_moves: a chat that changed id (a Telegram group upgraded to a
    # supergroup) and where its data went; links_round: a round's poll message after a restart
    """
    ALTER TABLE rounds ADD COLUMN thread TEXT NOT NULL DEFAULT '';
    ALTER TABLE schedules ADD COLUMN thread TEXT NOT NULL DEFAULT '';
    ALTER TABLE schedules ADD COLUMN paused TEXT;
    ALTER TABLE chats ADD COLUMN notice TEXT;
    ALTER TABLE chats ADD COLUMN lang_set INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE chat_moves (
        old_key TEXT PRIMARY KEY,        -- 'platform:old id': no longer reachable
        new_key TEXT NOT NULL,
        moved_at REAL NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX links_round ON links(round_id, kind)
    """,
    # v8: follow-ups and the weekly recap. parts: what each of the member's messages contributed to
    # an open answer (JSON list of [message key or null, text]; the answer's text is their join),
    # so an edited message replaces its own part. recaps: a chat's opt-in weekly recap (weekday
    # 0 = Monday, HH:MM in tz, next_at the UTC instant of the next one); recap_posts: the week
    # (ISO year-week of the local date) claimed before its recap is sent, so it goes out once
    """
    ALTER TABLE answers ADD COLUMN parts TEXT;
    CREATE TABLE recaps (
        chat_key TEXT PRIMARY KEY,
        weekday INTEGER NOT NULL,
        at TEXT NOT NULL,
        tz TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1,
        next_at REAL,
        updated_at REAL NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX recaps_due ON recaps(next_at) WHERE enabled = 1;
    CREATE TABLE recap_posts (
        chat_key TEXT NOT NULL,
        week TEXT NOT NULL,
        posted_at REAL NOT NULL,
        PRIMARY KEY (chat_key, week)
    ) WITHOUT ROWID
    """,
]
