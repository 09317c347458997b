from django.apps import AppConfig


class BurdenConfig(AppConfig):
    """The demand seam: every ask placed on a grassroots unit, whatever placed it, and its counts.

    Layering: above ``orgs`` and ``accounts``; below ``ledger`` and any module that places demands
    (inspections, meetings, documents, duty admissions). Nothing here imports those modules.
    """

    name = "qingzhuang.burden"
    label = "burden"
    verbose_name = "减负台账"
