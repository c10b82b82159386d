"""Error pages: a database that has gone away is a 503 with Retry-After, not a 500.

Django calls handler500 inside its exception handling, so sys.exc_info() still holds
the exception, whether a view or a middleware raised it. The pages are rendered
without the request's context processors: those may need the database (the user
behind a session cookie) that has just failed.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string

# Seconds a reader or crawler is asked to wait after a 503.
RETRY_AFTER_SECONDS = 30
# The errors psycopg and sqlite3 raise (as Django's wrappers) when the server is down,
# restarting or unreachable, or a connection was cut.
UNAVAILABLE = (OperationalError, InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the styled 503 page when the database is unavailable, else the 500 page."""
    if isinstance(sys.exc_info()[1], UNAVAILABLE):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponseServerError(render_to_string("500.html"))
