"""Collection for the cross-app tests: the API fuzz's upload and import operations run as the roles
named in ``test_fuzz_api.UPLOAD_LOGINS`` only (see there)."""

from __future__ import annotations

import re

_FUZZ_ITEM = re.compile(r"^test_generated_requests\[(?P<operation>[^\]]+)\]\[(?P<login>\w+)\]$")


def pytest_collection_modifyitems(config, items):
    kept, dropped = [], []
    for item in items:
        limits = getattr(getattr(item, "module", None), "UPLOAD_LOGINS", None)
        match = _FUZZ_ITEM.match(item.name) if limits else None
        if match and match["operation"] in limits and match["login"] not in limits[match["operation"]]:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
