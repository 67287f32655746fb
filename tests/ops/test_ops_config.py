"""Configuration: the shipped example passes ``config check``; unknown keys and bad values are errors
naming the key path (exit 2); secrets only from the environment (and ``.env``, which never
overrides a real variable), always masked; the example and docs/deploy.md cover every key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from ops_support import FAKE_TG_TOKEN, REPO, bot_env, quizbot

from bot.config import YAML_KEYS, ConfigError, Settings, load_config, load_settings

EXAMPLE = REPO / "quizbot.example.yaml"


def check(tmp_path: Path, text: str | None = None, *args: str, **env: str):
    cmd = ["config", "check", *args]
    if text is not None:
        (tmp_path / "quizbot.yaml").write_text(text, encoding="utf-8")
        cmd += ["--config", "quizbot.yaml"]
    return quizbot(*cmd, cwd=tmp_path, env=bot_env(**env))


def test_the_example_passes_config_check_and_shows_every_key(tmp_path):
    result = quizbot("config", "check", "--config", str(EXAMPLE), cwd=REPO)
    assert result.returncode == 0, result.stderr
    for key in YAML_KEYS:
        assert re.search(rf"^{re.escape(key)}: ", result.stdout, re.M), key
    assert "TELEGRAM_BOT_TOKEN: (not set)" in result.stdout


def test_the_example_holds_the_defaults():
    """Copying the example changes nothing until a value is edited."""
    settings, where = load_config(EXAMPLE, env={})
    assert settings == Settings()
    assert set(where) == set(YAML_KEYS.values())


def test_the_example_and_the_deploy_guide_cover_every_key():
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))

    def keys(node, prefix=""):
        for k, v in node.items():
            path = f"{prefix}{k}"
            if isinstance(v, dict):
                yield from keys(v, path + ".")
            else:
                yield path

    assert set(keys(data)) == set(YAML_KEYS)
    guide = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    for key in YAML_KEYS:
        assert f"`{key}`" in guide, f"docs/deploy.md does not document {key}"


@pytest.mark.parametrize("text, key", [
    ("quiz:\n  open_windows: 60\n", "quiz.open_windows"),
    ("databse:\n  path: x.db\n", "databse.path"),
    ("quiz:\n  open_window_seconds: -5\n", "quiz.open_window_seconds"),
    ("quiz:\n  open_window_seconds: soon\n", "quiz.open_window_seconds"),
    ("quiz:\n  max_questions: 2.5\n", "quiz.max_questions"),
    ("timezone: Mars/Olympus_Mons\n", "timezone"),
    ("language: fr\n", "language"),
    ("log_level: LOUD\n", "log_level"),
    ("admins: [telegram:1, 12345]\n", "admins[1]"),
    ("admins: telegram:1\n", "admins"),
    ("daily: 5\n", "daily"),
    ("daily:\n  discussion_share: 1.5\n", "daily.discussion_share"),
    ("daily:\n  reveal_delay_hours: 0\n", "daily.reveal_delay_hours"),
    ("heartbeat_seconds: true\n", "heartbeat_seconds"),
    ("telegram:\n  api_base_url: localhost:8081\n", "telegram.api_base_url"),
    ("discord:\n  dev_guild: my-guild\n", "discord.dev_guild"),
    ("database:\n  path: [a, b]\n", "database.path"),
])
def test_a_bad_key_or_value_is_an_error_naming_the_key(tmp_path, text, key):
    result = check(tmp_path, text)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"error: config: {key}: " in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_key_suggests_the_closest(tmp_path):
    result = check(tmp_path, "quiz:\n  open_window_second: 60\n")
    assert "did you mean 'quiz.open_window_seconds'?" in result.stderr


def test_a_token_in_the_file_is_refused_without_echoing_it(tmp_path):
    result = check(tmp_path, f"telegram:\n  token: {FAKE_TG_TOKEN}\n")
    assert result.returncode == 2
    assert "telegram.token: secrets are not read from the config file" in result.stderr
    assert FAKE_TG_TOKEN not in result.stdout + result.stderr


@pytest.mark.parametrize("text", ["", "# only comments\n", "quiz:\ndaily:\n"])
def test_an_empty_file_or_empty_sections_mean_defaults(tmp_path, text):
    assert check(tmp_path, text).returncode == 0


def test_a_missing_or_broken_file_is_an_error(tmp_path):
    result = quizbot("config", "check", "--config", "nope.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "nope.yaml: config file not found" in result.stderr
    result = check(tmp_path, "quiz: [unclosed\n")
    assert result.returncode == 2 and "YAML syntax" in result.stderr
    result = check(tmp_path, "- a\n- b\n")
    assert result.returncode == 2 and "must be a mapping" in result.stderr


def test_an_environment_variable_with_a_bad_value_is_named(tmp_path):
    result = check(tmp_path, None, QUIZBOT_LOG_LEVEL="chatty")
    assert result.returncode == 2
    assert "error: config: QUIZBOT_LOG_LEVEL: must be one of" in result.stderr


def test_precedence_defaults_file_environment_flags(tmp_path):
    text = "database:\n  path: from-file.db\nlog_level: debug\n"
    result = check(tmp_path, text, "--json")
    assert '"db_path": "from-file.db"' in result.stdout and '"log_level": "DEBUG"' in result.stdout
    result = check(tmp_path, text, "--json", QUIZBOT_DB="from-env.db")
    assert '"db_path": "from-env.db"' in result.stdout
    result = check(tmp_path, text, "--json", "--db", "from-flag.db", QUIZBOT_DB="from-env.db")
    assert '"db_path": "from-flag.db"' in result.stdout
    result = check(tmp_path, text)
    assert "database.path: from-file.db    # quizbot.yaml: database.path" in result.stdout


def test_the_config_path_may_come_from_quizbot_config(tmp_path):
    (tmp_path / "elsewhere.yaml").write_text("language: en\n")
    result = check(tmp_path, None, "--json", QUIZBOT_CONFIG=str(tmp_path / "elsewhere.yaml"))
    assert result.returncode == 0 and '"default_lang": "en"' in result.stdout


def test_secrets_are_masked(tmp_path):
    result = check(tmp_path, None, TELEGRAM_BOT_TOKEN=FAKE_TG_TOKEN, DISCORD_BOT_TOKEN="short-secret")
    assert result.returncode == 0
    assert FAKE_TG_TOKEN not in result.stdout + result.stderr
    assert f"TELEGRAM_BOT_TOKEN: ***{FAKE_TG_TOKEN[-4:]}" in result.stdout
    assert "DISCORD_BOT_TOKEN: ***\n" in result.stdout and "short-secret" not in result.stdout
    assert "# adapters: telegram, discord" in result.stdout
    result = check(tmp_path, None, "--json", TELEGRAM_BOT_TOKEN=FAKE_TG_TOKEN)
    assert FAKE_TG_TOKEN not in result.stdout and '"telegram_token": "***' in result.stdout


def test_dotenv_in_the_working_directory_is_read_but_never_overrides(tmp_path):
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={FAKE_TG_TOKEN}\nQUIZBOT_DB=from-dotenv.db\n")
    result = check(tmp_path, None, "--json")
    assert result.returncode == 0, result.stderr
    assert '"db_path": "from-dotenv.db"' in result.stdout
    assert f'"telegram_token": "***{FAKE_TG_TOKEN[-4:]}"' in result.stdout
    result = check(tmp_path, None, "--json", QUIZBOT_DB="real-env.db")
    assert '"db_path": "real-env.db"' in result.stdout


def test_load_settings_errors_in_process():
    with pytest.raises(ConfigError) as err:
        load_settings(env={"QUIZBOT_DB": "  "} | {"DISCORD_DEV_GUILD": "abc"})
    assert err.value.key == "DISCORD_DEV_GUILD"
    settings = load_settings(env={"TELEGRAM_BOT_TOKEN": FAKE_TG_TOKEN})
    assert FAKE_TG_TOKEN not in repr(settings)
    assert settings.platforms == ("telegram",)


def test_run_refuses_a_bad_config_before_touching_anything(tmp_path):
    (tmp_path / "quizbot.yaml").write_text("quiz:\n  choice_window_seconds: 0\n")
    result = quizbot("--config", "quizbot.yaml", "--db", "q.db", "run", cwd=tmp_path, stdin="/help\n")
    assert result.returncode == 2
    assert "error: config: quiz.choice_window_seconds: must be > 0" in result.stderr
    assert not (tmp_path / "q.db").exists()
