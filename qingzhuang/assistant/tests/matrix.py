"""The assistant's targets of the permission matrix (tests/test_permission_matrix.py): a policy
document of 甲村 (visible to 甲镇 and the county, not to 乙镇), indexed and searchable."""

from django.db import transaction


def objects(ctx) -> dict:
    from qingzhuang.assistant.models import PolicyDocument, PolicyPassage
    from qingzhuang.assistant.services import bump_library
    from qingzhuang.assistant.text import tokens

    text = "甲村一网格值班安排：张三负责，联系电话13812345678。"
    with transaction.atomic():
        policy = PolicyDocument.objects.create(
            title="甲村一网格值班制度", unit=ctx["county"]["village_a"], original_name="甲村一网格.txt",
            format="txt", sha256="x", text=text, status="indexed", passage_count=1, file="policies/none.txt")
        PolicyPassage.objects.create(document=policy, position=0, heading="一、值班", article="一、", text=text,
                                     tokens=" ".join(tokens(text)))
        bump_library()
    return {"policy": policy}


def targets(ctx) -> dict:
    return {
        **{f"assistant:{name}": {"pk": ctx["policy"].pk} for name in (
            "policy_detail", "policy_reindex", "policy_delete", "policy_file")},
        "api:get_policy": {"document_id": ctx["policy"].pk},
        # Summaries live in the session of whoever made them: another user's token is unknown.
        "assistant:summary_download": {"token": "0" * 32},
    }
