"""Logging building blocks used by settings.LOGGING."""

import logging


class RefusalsOnOneLine(logging.Filter):
    """Django logs every refused request (403 PermissionDenied, 400 SuspiciousOperation)
    with the traceback of the exception that refused it. A refusal is the site doing its
    job: the status, the reason and the path, on one line, say all there is to know.
    Errors (5xx) and records without a status keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
