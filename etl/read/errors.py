"""The read stage's error: a file that cannot be read as a document."""


class ReadError(Exception):
    """A file that cannot be read as a document (reported and skipped by the build)."""
