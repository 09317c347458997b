"""Small builders for the page and read-API tests of the ledger (records, changes, jobs)."""

from __future__ import annotations

from qingzhuang.ledger.models import ImportJob, JobStatus, Record, RecordChange
from qingzhuang.lib.ids import id_check_char


def id_number(serial: int, birth: str = "19800101", area: str = "429901", female: bool = False) -> str:
    """A valid 18-digit ID number; the 3-digit serial's parity gives the gender."""
    seq = serial * 2 % 1000 + (0 if female else 1)
    first17 = f"{area}{birth}{seq:03d}"
    return first17 + id_check_char(first17)


def person_data(unit, *, name: str, number: str, phone: str = "13912345678") -> dict:
    return {"name": name, "id_number": number, "gender": "男" if int(number[16]) % 2 else "女",
            "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}", "ethnicity": "汉族",
            "phone": phone, "unit_code": unit.code, "home_address": f"{unit.name}1号", "person_type": "户籍人口"}


def make_person(dataset, unit, *, name: str, number: str, phone: str = "13912345678", job=None) -> Record:
    """A record as an import creates it (the creation is the record's own, not a change)."""
    data = person_data(unit, name=name, number=number, phone=phone)
    return Record.objects.create(dataset=dataset, unit=unit, key=number, data=data, job=job)


def change_person(record, job, actor, **changes) -> Record:
    """Change values of ``record`` as an import does: a new version and a change row."""
    before = {k: record.data.get(k, "") for k in changes}
    record.data = {**record.data, **changes}
    record.version += 1
    record.job = job
    record.save()
    RecordChange.objects.create(record=record, version=record.version, actor=actor, job=job, before=before,
                                after=changes)
    return record


def make_people(dataset, unit, n: int, start: int = 0) -> list[Record]:
    records = [Record(dataset=dataset, unit=unit, key=(num := id_number(start + i)),
                      data=person_data(unit, name=f"居民{start + i}", number=num)) for i in range(n)]
    return Record.objects.bulk_create(records)


def make_job(dataset, user, *, status=JobStatus.REJECTED, errors=None, dry_run=False, **fields) -> ImportJob:
    errors = errors or []
    values = {"file": "ledger/imports/test.csv", "original_name": "人口.csv", "progress_total": 3, "progress_done": 3,
              "rejected": len({e["row"] for e in errors}), "error_count": len(errors)}
    values.update(fields)
    return ImportJob.objects.create(dataset=dataset, uploaded_by=user, status=status, errors=errors,
                                    dry_run=dry_run, **values)
