"""The question of the day: per-chat schedules in SQLite, run by APScheduler on the bot's loop."""
