"""Local media storage that never leaves a partial file behind.

Django's FileSystemStorage writes an upload chunk by chunk; when the disk fills up (or
a quota, or a file size limit, stops it) it raises, leaving the part it wrote. Here
that part is removed and the error becomes MediaWriteError, which the admin turns into
a form error (newsroom.admin_forms.ShowsMediaWriteErrors) and the renditions job into a
retry.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.core.files.storage import FileSystemStorage

logger = logging.getLogger(__name__)


class MediaWriteError(OSError):
    """A file could not be written to media storage; nothing of it was kept."""


class MediaStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        # Upload names are generated (pictures.images), so a file already there is never
        # this write's, and is never removed for it.
        existed = self.exists(name)
        try:
            # Storage._save is the documented hook of a custom storage; the stubs omit it.
            return super()._save(name, content)  # type: ignore[misc]
        except OSError as error:
            if not existed:
                with contextlib.suppress(FileNotFoundError):
                    self.delete(name)
            logger.exception("Could not store %s in media storage", name)
            message = f"Could not store {name}: {error.strerror}"
            raise MediaWriteError(error.errno, message) from error
