"""The account pages' targets of the permission matrix (tests/test_permission_matrix.py)."""

from django.db import transaction

from qingzhuang.accounts.services import token_create


def objects(ctx) -> dict:
    member = ctx["users"]["member"]
    with transaction.atomic():
        token, _ = token_create(actor=member, user=member, name="脚本")
    return {"member_token": token}


def targets(ctx) -> dict:
    member = ctx["users"]["member"].pk
    return {
        "accounts:token_revoke": {"pk": ctx["member_token"].pk},
        "accounts:user_detail": {"pk": member},
        "accounts:user_password": {"pk": member},
        "accounts:user_unlock": {"pk": member},
        "accounts:user_reset_totp": {"pk": member},
    }
