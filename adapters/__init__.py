"""Platform adapters: console (embedded default and test double), Telegram, Discord."""
