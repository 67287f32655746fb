"""Telegram adapter (python-telegram-bot 22.x): long polling, handlers, HTML rendering, quiz polls.

Modules: ``adapter`` (TelegramAdapter: start/stop/send), ``handlers`` (updates -> engine events),
``outbox`` (engine replies -> Bot API calls), ``render`` (Markdown -> Telegram HTML, splitting),
``limiter`` (flood control), ``links`` (message/poll -> round), ``processor`` (per-chat ordering).
Inside this package ``import telegram`` means python-telegram-bot: imports are absolute.
"""
