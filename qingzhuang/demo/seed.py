"""Build the demo county 青山县 from the steps the apps declare (``DemoStep`` in each ``module.py``).

``seed(scale)`` runs every step in order inside one transaction and writes one summary audit row.
The orgs step comes first and refuses when the database already holds units, so the demo is never
built over real data. Each step draws from its own fixed-seed ``random.Random``, so a step added
later never shifts the output of the steps before it.
"""

from __future__ import annotations

from django.db import transaction

from qingzhuang import registry
from qingzhuang.orgs import audit
from qingzhuang.orgs.demo import PASSWORD_ENV, SCALES, DemoExistsError, DemoResult, demo_password

__all__ = ["PASSWORD_ENV", "SCALES", "DemoExistsError", "DemoResult", "seed", "summaries"]


@transaction.atomic
def seed(scale: str = "seed", *, password: str | None = None) -> DemoResult:
    """Build the demo county in one transaction. Refuses (DemoExistsError) when any unit exists."""
    if scale not in SCALES:
        raise ValueError(f"未知规模：{scale}（可选 {'、'.join(SCALES)}）")
    result = DemoResult(scale=scale, password=password or demo_password())
    for _module, step in registry.demo_steps():
        result.counts.update(registry.load(step.run)(result) or {})
    audit.record(
        actor=None,
        action="demo.seed",
        obj=result.units.root,
        after={"scale": scale, **result.counts, "kinds": result.kinds,
               "accounts": [a.username for a in result.accounts]},
    )
    return result


def summaries(result: DemoResult) -> list[str]:
    """One line per module that has something to say about what it built."""
    lines = []
    for _module, step in registry.demo_steps():
        if step.summary:
            line = registry.load(step.summary)(result)
            if line:
                lines.append(line)
    return lines
