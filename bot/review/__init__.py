"""The personal review queue: spaced repetition (FSRS) of every question a member answered.

* ``cards``: the rating from a grade and the FSRS update of a card; rounds feed it at the reveal;
* ``store``: the queries (members, the card shown, the next due card, counts, deleting);
* ``flow``: ``/review`` itself, one card at a time with an instant result;
* ``commands``: the ``/review`` command and its actions (stop, stats, remind);
* ``texts``: what it says in zh/en (times, zones and local days come from ``bot.local_time``).

The daily reminder is sent by ``scheduler.reminders``.
"""

from bot.review.cards import ReviewCards, rating_for
from bot.review.commands import ReviewCommands
from bot.review.flow import BUTTON_PREFIXES, ReviewFlow

__all__ = ["BUTTON_PREFIXES", "ReviewCards", "ReviewCommands", "ReviewFlow", "rating_for"]
