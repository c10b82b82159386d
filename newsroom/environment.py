"""Reading settings from the environment, for the Django settings and gunicorn.conf.py.

An empty variable means "use the default" everywhere, because `.env.example` lists every
variable, most of them empty, and is copied as is to `.env`. The local `.env` file is
read without its empty lines: a variable put into the process's environment is inherited
by every program it starts (gunicorn, psycopg, boto3 and the like read their own
variables, and `int("")` or an empty region is an error to them), so only values that
say something may get there. Imports nothing but Django's exception, so gunicorn's
configuration can use it before Django is set up.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from dotenv import dotenv_values

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env(name: str, default: str = "") -> str:
    """A variable's value; empty counts as unset, so `NAME=` in .env means the default."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    """Parse a boolean strictly: a typo must not silently mean False."""
    raw = os.environ.get(name)
    if not raw:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = env(name, str(default))
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated list, blanks dropped."""
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def read_env_file(path: Path) -> None:
    """Put the file's non-empty values into the environment, unless READ_ENV_FILE=false
    (the test tooling's servers, which get a controlled environment) or the variable is
    set already (the real environment wins)."""
    if not env_bool("READ_ENV_FILE", True) or not path.is_file():
        return
    for name, value in dotenv_values(path).items():
        if value and name not in os.environ:
            os.environ[name] = value
