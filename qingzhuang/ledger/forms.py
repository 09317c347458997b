"""Forms of the ledger pages: the records filter and the import upload."""

from __future__ import annotations

from django import forms
from django.core.validators import FileExtensionValidator

from qingzhuang.ledger.models import Dataset, UpdatePeriod
from qingzhuang.lib.paging import MAX_POSITION, range_message
from qingzhuang.lib.periods import is_period


def _cursor(name: str, low: int) -> forms.IntegerField:
    message = range_message(name, low, MAX_POSITION)
    return forms.IntegerField(required=False, min_value=low, max_value=MAX_POSITION,
                              error_messages={"min_value": message, "max_value": message})


class RecordFilterForm(forms.Form):
    """GET parameters of the dataset page and the records API. A cursor that is not a number is
    simply ignored; one out of range (below 0, or beyond 2⁶³−1, which the database cannot compare)
    is named by ``cursor_error`` and the page answers 400 with it."""

    unit = forms.CharField(required=False, max_length=32)
    q = forms.CharField(required=False, max_length=100)
    after = _cursor("after", 0)
    before = _cursor("before", 1)

    def cursor_error(self) -> str:
        """The Chinese message of an out-of-range ``after`` or ``before``, else ""."""
        if self.is_valid():
            return ""
        for name in ("after", "before"):
            for error in self.errors.as_data().get(name, []):
                if error.code in ("min_value", "max_value"):
                    return error.messages[0]
        return ""

    def values(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "unit": (data.get("unit") or "").strip(),
            "q": (data.get("q") or "").strip(),
            "after": data.get("after"),
            "before": data.get("before"),
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label="文件",
        validators=[FileExtensionValidator(["xlsx", "xls", "csv"], message="请上传 xlsx、xls 或 csv 文件")],
        error_messages={"required": "请选择要导入的文件"},
    )
    period = forms.CharField(
        label="期间", required=False, max_length=7,
        help_text="YYYY-MM，例如 2025-01：这批数据所属的月份。",
    )

    def __init__(self, *args, dataset: Dataset, **kwargs):
        super().__init__(*args, **kwargs)
        self.dataset = dataset
        # Only monthly datasets are reported per period.
        if dataset.update_period != UpdatePeriod.MONTHLY:
            del self.fields["period"]

    def clean_period(self) -> str:
        period = self.cleaned_data.get("period", "").strip()
        if period and not is_period(period):
            raise forms.ValidationError("期间应填写为 YYYY-MM 格式，例如 2025-01")
        return period
