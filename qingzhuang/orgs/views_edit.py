"""Create and edit units and people (one form each; every write through ``services``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from qingzhuang.orgs import access, services
from qingzhuang.orgs.forms import PersonForm, UnitForm

FIELD_NAMES = {"name", "unit", "title", "phone", "id_number", "code", "kind", "parent", "is_active"}


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _unit_choices(user):
    return access.visible_units(user).values_list("code", "name")[:2000]


@login_required
@permission_required("orgs.manage_people", raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_create(request):
    initial = {"unit": request.GET.get("unit", "")}
    form = PersonForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_create(
                actor=request.user, unit=data["unit"], name=data["name"], title=data["title"],
                phone=data["phone"], id_number=data["id_number"], request=request,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"已添加干部“{person.name}”。")
            return redirect("orgs:person_detail", pk=person.pk)
    return render(request, "orgs/person_form.html",
                  {"form": form, "person": None, "unit_choices": _unit_choices(request.user)})


@login_required
@permission_required("orgs.manage_people", raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_edit(request, pk: int):
    person = access.get_person_or_404(request.user, pk)
    form = PersonForm(request.POST or None, user=request.user, initial=PersonForm.initial_for(person))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.person_update(
                actor=request.user, person=person, unit=data["unit"], name=data["name"], title=data["title"],
                phone=data["phone"], id_number=data["id_number"], is_active=data["is_active"], request=request,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "已保存。")
            return redirect("orgs:person_detail", pk=person.pk)
    return render(request, "orgs/person_form.html",
                  {"form": form, "person": person, "unit_choices": _unit_choices(request.user)})


@login_required
@permission_required("orgs.manage_units", raise_exception=True)
@require_http_methods(["GET", "POST"])
def unit_create(request):
    form = UnitForm(request.POST or None, user=request.user, initial={"parent": request.GET.get("parent", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = services.unit_create(actor=request.user, code=data["code"], name=data["name"],
                                        kind=data["kind"], parent=data["parent"], request=request)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"已添加单位“{unit.name}”。")
            return redirect("orgs:unit_detail", code=unit.code)
    return render(request, "orgs/unit_form.html",
                  {"form": form, "unit": None, "unit_choices": _unit_choices(request.user)})


@login_required
@permission_required("orgs.manage_units", raise_exception=True)
@require_http_methods(["GET", "POST"])
def unit_edit(request, code: str):
    unit = access.get_unit_or_404(request.user, code=code)
    # The root of the user's own scope cannot be moved by them: it would leave their scope.
    is_scope_root = access.is_scope_root(request.user, unit)
    initial = {"code": unit.code, "name": unit.name, "kind": unit.kind,
               "parent": unit.parent.code if unit.parent_id else "", "is_active": unit.is_active}
    form = UnitForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if is_scope_root:
        form.fields["parent"].disabled = True
        form.fields["parent"].required = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parent = unit.parent if is_scope_root else data["parent"]
        try:
            services.unit_update(actor=request.user, unit=unit, name=data["name"], kind=data["kind"],
                                 parent=parent, is_active=data["is_active"], request=request)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "已保存。")
            return redirect("orgs:unit_detail", code=unit.code)
    return render(request, "orgs/unit_form.html",
                  {"form": form, "unit": unit, "unit_choices": _unit_choices(request.user)})
