"""The Discord adapter (discord.py 2.7): slash commands, persistent buttons, the answer modal, embeds.

Modules: ``adapter`` (DiscordAdapter, the client), ``commands`` (slash commands, autocomplete, sync),
``interactions`` (interactions -> engine events -> responses), ``views`` (buttons, modal),
``embeds`` (Reply -> messages within Discord's limits), ``text`` (Markdown adaptation, splitting).
Inside this package ``import discord`` is discord.py: every import here is absolute.
"""
