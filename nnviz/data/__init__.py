"""Data: the Dataset container, the toy generators, CSV reading, feature expressions and scaling."""
