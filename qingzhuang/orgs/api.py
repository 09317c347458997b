from __future__ import annotations

from django.http import Http404
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from qingzhuang.orgs import access, queries
from qingzhuang.orgs.roles import user_roles

router = Router(tags=["组织与人员"])


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    parent_code: str | None = Field(None, alias="parent.code")
    depth: int
    is_active: bool


class MeOut(Schema):
    username: str
    display_name: str
    unit_code: str | None
    roles: list[str]


@router.get("/me", response=MeOut, summary="当前用户")
def me(request):
    user = request.auth
    return {"username": user.username, "display_name": user.display_name,
            "unit_code": user.unit.code if user.unit_id else None, "roles": user_roles(user)}


@router.get("/units", response=list[UnitOut], summary="单位列表（限本人范围）")
@paginate(LimitOffsetPagination)
def list_units(request, q: str = "", kind: str = ""):
    return queries.search_units(request.auth, q, kind)


@router.get("/units/{code}", response=UnitOut, summary="单位详情")
def get_unit(request, code: str):
    return access.get_unit_or_404(request.auth, code=code)


class PersonRow(Schema):
    id: int
    name: str
    unit_code: str
    unit_name: str
    title: str
    phone: str
    id_number: str
    is_active: bool


def _row(user, person) -> PersonRow:
    show = access.can_view_personal_data(user)
    return PersonRow(
        id=person.id, name=person.name, unit_code=person.unit.code, unit_name=person.unit.name,
        title=person.title, phone=person.phone if show else person.masked_phone,
        id_number=person.id_number if show else person.masked_id_number, is_active=person.is_active,
    )


@router.get("/people", response=list[PersonRow], summary="干部列表（身份证号、手机号按权限脱敏）")
@paginate(LimitOffsetPagination)
def list_people(request, q: str = "", unit: str = ""):
    unit_obj = access.get_unit_or_404(request.auth, code=unit) if unit else None
    people = queries.search_people(request.auth, q, unit_obj)
    return _MaskedPeople(request.auth, people)


@router.get("/people/{int:pk}", response=PersonRow, summary="干部详情")
def get_person(request, pk: int):
    return _row(request.auth, access.get_person_or_404(request.auth, pk))


class _MaskedPeople:
    """A lazily sliced queryset wrapper that masks each row for the paginator."""

    def __init__(self, user, qs):
        self.user, self.qs = user, qs

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if isinstance(item, slice):
            return [_row(self.user, p) for p in self.qs[item]]
        raise Http404
