from qingzhuang.lib.tables import Limits
from qingzhuang.orgs.transfer import import_limits


def test_import_limits_are_read_from_settings_at_call_time(settings):
    settings.QZ_IMPORT_MAX_BYTES = 1000
    settings.QZ_IMPORT_MAX_ROWS = 20
    settings.QZ_IMPORT_MAX_COLUMNS = 5
    settings.QZ_IMPORT_MAX_UNZIPPED_BYTES = 4000
    settings.QZ_IMPORT_MAX_ZIP_RATIO = 50
    assert import_limits() == Limits(
        max_bytes=1000, max_rows=20, max_columns=5, max_unzipped_bytes=4000, max_zip_ratio=50
    )
