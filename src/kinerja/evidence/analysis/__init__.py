"""Qualitative-evidence domain (evidence.md) in plain Python: records, inter-coder agreement,
triangulation, REFI-QDA exchange, Indonesian search and source reading.

Kept free of Django and HTTP so the same rules run in the web app, the CLI and the tests; the
Django layer converts its models to and from the frozen records in ``records``."""
