"""The one exception type the engine raises for anything a user got wrong.

It subclasses ValueError so that callers that already catch ValueError keep
working; the UI and the CLI catch it to show a message instead of a traceback.
"""


class LogRegError(ValueError):
    """Bad input (a file, a setting, a dataset name): the message says what to do."""
