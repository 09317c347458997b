"""Reads of the ledger for pages and the API, always scoped through ``ledger.access``.

- ``datasets``: the data map, catalog search, record pages and history, recent import jobs
- ``reports``: the register of reports, duplicate fields, the ledger's county KPIs
- ``indicators``: the workbench chart of which months a department's indicators were reported
"""

from qingzhuang.ledger.queries.datasets import (  # noqa: F401
    COUNT_CAP,
    MAX_MERGED_UNITS,
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    CategoryGroup,
    DatasetEntry,
    FieldChange,
    HistoryEntry,
    NameSearchTooBroad,
    NumberedPage,
    Page,
    Row,
    catalog_elements,
    columns_of,
    data_map,
    display_values,
    element_matches,
    exact_key_search,
    filtered_rows,
    freshness,
    masked_data,
    name_elements,
    numbered_page,
    page_unit_ids,
    readable_count,
    recent_jobs,
    record_history,
    record_page,
    resolve_unit,
    search_terms,
    template_columns,
)
from qingzhuang.ledger.queries.reports import (  # noqa: F401
    DuplicateField,
    asked_elements,
    county_kpis,
    duplicate_fields,
    ledger_kpis,
    ledger_removed,
    register,
    report_fields,
)
