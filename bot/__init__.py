"""quizbot core: the platform-neutral quiz engine, its domain types, storage and CLI.

Nothing in this package may import ``telegram`` or ``discord``; adapters live in ``adapters/``.
"""

__version__ = "0.1.0"
