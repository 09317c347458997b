"""Settings of file transfers (imports and exports), read in one place for every app.

``lib.tables`` reads no settings: its callers pass ``import_limits()``, built here from the
``QZ_IMPORT_*`` settings at call time (so a test that changes a setting is honoured).
"""

from __future__ import annotations

from django.conf import settings

from qingzhuang.lib.tables import Limits


def import_limits() -> Limits:
    """The limits on uploaded and imported tables from settings (``QZ_IMPORT_MAX_*``)."""
    max_bytes = settings.QZ_IMPORT_MAX_BYTES
    return Limits(
        max_bytes=max_bytes,
        max_rows=settings.QZ_IMPORT_MAX_ROWS,
        max_columns=settings.QZ_IMPORT_MAX_COLUMNS,
        max_unzipped_bytes=getattr(settings, "QZ_IMPORT_MAX_UNZIPPED_BYTES", max(1024**3, 5 * max_bytes)),
        max_zip_ratio=getattr(settings, "QZ_IMPORT_MAX_ZIP_RATIO", 200),
    )
