"""Files: weights, sessions, exporters, and atomic writes."""
