"""Every ledger write that is not an import: keyword-only, atomic, permission- and scope-checked,
audited. One module per area; the public names are re-exported here.

- ``reports``: definition, admission, the register, filling and exporting, sending
  (demands are placed and filled through ``burden.services``)
- ``data_requests``: data requests (找数据 before 要数据), their admission, dataset shares, sending
- ``records``: revealing a record's unmasked values
- ``admission``: the ledger's names for ``burden.admission``'s submit/review steps
"""

from qingzhuang.ledger.services.data_requests import (  # noqa: F401
    RequestDefinition,
    request_create,
    request_field_confirm,
    request_review,
    request_send,
    request_submit,
    request_update,
)
from qingzhuang.ledger.services.records import record_reveal  # noqa: F401
from qingzhuang.ledger.services.reports import (  # noqa: F401
    EXPORT_FORMATS,
    STOP_MESSAGE,
    ReportDefinition,
    clean_definition,
    report_create,
    report_export,
    report_fill,
    report_review,
    report_send,
    report_set_register,
    report_submit,
    report_update,
)
