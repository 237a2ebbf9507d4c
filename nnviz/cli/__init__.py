"""The ``nnviz`` command line: one module per command."""
