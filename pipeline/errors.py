"""Errors a user can fix: the CLI prints their message on one line and exits 2."""


class PubcomError(Exception):
    """A mistake in the input or the options, with a message that says what and where."""


class InputError(PubcomError):
    """A file that cannot be read as asked (missing, wrong format, missing column...)."""


class TaxonomyError(PubcomError):
    """A taxonomy file that does not follow the schema, or a label outside it."""


class ModelError(PubcomError):
    """A model folder that is missing, incomplete, tampered with or from an unreadable version."""
