"""The one exception type the engine raises for anything a user got wrong, and a helper for its messages.

It subclasses ValueError so that callers that already catch ValueError keep
working; the UI and the CLI catch it to show a message instead of a traceback.
"""


class LogRegError(ValueError):
    """Bad input (a file, a setting, a dataset name): the message says what to do."""


def listed(items: list[str], limit: int, separator: str = ", ") -> str:
    """The first ``limit`` of ``items`` and how many more: "a, b, c and 4 more" (for messages and notes)."""
    more = f" and {len(items) - limit:,} more" if len(items) > limit else ""
    return separator.join(items[:limit]) + more
