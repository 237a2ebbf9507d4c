"""The one error type a user can cause.

Every reader, validator and command raises :class:`NnvizError` (a ``ValueError``) with a
single sentence that names the problem; the CLI prints it as ``nnviz: error: …`` and the app
shows it in a message box. Anything else escaping is a bug.
"""


class NnvizError(ValueError):
    """A problem with the user's input: a bad file, parameter or command line."""
