"""一套表 models, one module per sub-area (catalog, records, imports; reports and requests)."""

from qingzhuang.ledger.models.catalog import (  # noqa: F401
    Category,
    DataElement,
    Dataset,
    DatasetColumn,
    DatasetShare,
    Storage,
    UpdatePeriod,
    ValueType,
)
from qingzhuang.ledger.models.records import (  # noqa: F401
    Direction,
    ImportJob,
    Indicator,
    IndicatorValue,
    JobStatus,
    Record,
    RecordChange,
)
from qingzhuang.ledger.models.reports import (  # noqa: F401
    STOP_MESSAGE,
    Admission,
    Aggregate,
    DataRequest,
    DataRequestField,
    FilterOp,
    MatchOutcome,
    PeriodGrain,
    RegisterStatus,
    Report,
    UnitLevel,
)
