"""Log filter: a log record never carries a request body, query string or exception locals."""

import logging
import re

_DIGITS16 = re.compile(r"\b\d{16}\b")


class NoIdentityFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # django.request attaches the request; its POST may hold identity fields.
        if hasattr(record, "request"):
            record.request = None
        if isinstance(record.msg, str):
            record.msg = _DIGITS16.sub("[NIK]", record.msg)
        if record.args:
            record.args = tuple(_DIGITS16.sub("[NIK]", a) if isinstance(a, str) else a for a in record.args) \
                if isinstance(record.args, tuple) else record.args
        return True
