"""The policy library: adding, indexing, editing, deleting, scope, search and the commands."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from qingzhuang.assistant import access, search, services
from qingzhuang.assistant.models import DocumentStatus, PolicyDocument, PolicyPassage
from qingzhuang.assistant.tests.conftest import RULES, write
from qingzhuang.orgs.models import AuditLog


def test_add_extracts_guesses_and_indexes(library, settings):
    doc = library["county"]
    assert (doc.title, doc.issuer, doc.doc_number, doc.issued_on, doc.level, doc.format) == (
        "青山县测试会议管理办法", "青山县人民政府办公室", "青政办发〔2025〕21号", date(2025, 3, 18), "县级", "md")
    assert doc.status == DocumentStatus.SUCCEEDED and doc.passage_count == 5
    passages = list(doc.passages.order_by("position").values_list("heading", "article"))
    assert passages == [("第一章 总则 > 第一条", "第1条"), ("第一章 总则 > 第二条", "第2条"),
                        ("第二章 会议规范 > 第三条", "第3条"), ("第二章 会议规范 > 第四条", "第4条"),
                        ("第二章 会议规范 > 第五条", "第5条")]
    assert "工作群" in doc.passages.get(article="第4条").tokens.split()
    assert (Path(settings.MEDIA_ROOT) / doc.file).read_text(encoding="utf-8") == RULES
    actions = list(AuditLog.objects.filter(object_id=str(doc.pk), action__startswith="assistant.")
                   .values_list("action", flat=True).order_by("id"))
    assert actions == ["assistant.policy.add", "assistant.policy.index"]


def test_same_file_twice_is_not_added_again(library, rules_file, users):
    result = services.policy_add(actor=users["supervision"], path=rules_file, filename="again.md")
    assert not result.created
    assert result.message == "政策库中已有内容相同的文件：青山县测试会议管理办法"
    assert PolicyDocument.objects.count() == 2


def test_unreadable_file_writes_nothing(db, tmp_path, users, settings):
    bad = write(tmp_path, "policy.exe", "MZ")
    result = services.policy_add(actor=users["supervision"], path=bad, filename="policy.exe")
    assert result.document is None
    assert result.message == "不支持的文件格式：.exe，请上传 docx、pdf、txt、md 或 html 文件"
    assert not PolicyDocument.objects.exists()
    assert not AuditLog.objects.filter(action="assistant.policy.add").exists()
    assert not (Path(settings.MEDIA_ROOT) / "policies").exists()


def test_adding_needs_the_permission(db, rules_file, users):
    with pytest.raises(PermissionDenied, match="您没有维护政策库的权限"):
        services.policy_add(actor=users["member"], path=rules_file)
    assert not PolicyDocument.objects.exists()


def test_upload_indexes_in_the_background(db, rules_file, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = services.policy_add(actor=users["supervision"], path=rules_file, filename="rules.md")
    result.document.refresh_from_db()
    assert result.document.status == DocumentStatus.SUCCEEDED
    assert result.document.passage_count == 5


def test_reindex_replaces_passages_incrementally(library, users, django_capture_on_commit_callbacks):
    town = library["town"]
    county_passages = set(library["county"].passages.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        services.reindex(actor=users["supervision"], document=library["county"])
    # Only that document's passages were rewritten.
    assert set(PolicyPassage.objects.filter(document=town).values_list("pk", flat=True))
    assert not county_passages & set(library["county"].passages.values_list("pk", flat=True))
    assert library["county"].passages.count() == 5


def test_edit_metadata_is_audited_and_searchable(library, users):
    doc = services.policy_update(actor=users["supervision"], document=library["county"], title="青山县会议精简办法",
                                 issuer="青山县人民政府", doc_number="青政办发[2025]21号", issued_on=date(2025, 3, 20),
                                 level="县级", tags=["会议"])
    assert doc.doc_number_key == "青政办发〔2025〕21号" and doc.metadata_edited
    entry = AuditLog.objects.filter(action="assistant.policy.update").get()
    assert entry.before == {"title": "青山县测试会议管理办法", "issuer": "青山县人民政府办公室",
                            "doc_number": "青政办发〔2025〕21号", "issued_on": "2025-03-18", "tags": ["会议", "工作群"]}
    assert entry.after["title"] == "青山县会议精简办法"
    hits = search.search(users["supervision"], "精简办法").hits
    assert hits[0].document == "青山县会议精简办法"


def test_edit_refuses_an_empty_title(library, users):
    with pytest.raises(ValidationError) as caught:
        services.policy_update(actor=users["supervision"], document=library["county"], title="  ")
    assert caught.value.message_dict == {"title": ["标题不能为空"]}


def test_delete_removes_document_passages_and_file(library, users, settings):
    doc = library["county"]
    path = Path(settings.MEDIA_ROOT) / doc.file
    services.policy_delete(actor=users["supervision"], document=doc)
    assert not PolicyDocument.objects.filter(pk=doc.pk).exists()
    assert not PolicyPassage.objects.filter(document_id=doc.pk).exists()
    assert AuditLog.objects.filter(action="assistant.policy.delete").get().before["title"] == "青山县测试会议管理办法"
    assert search.search(users["supervision"], "综合性会议").hits == []
    assert path.exists()  # removed when the transaction commits (the test's never does)


# ---------------------------------------------------------------------------------------------
# Scope


def test_township_document_visible_down_and_up_not_sideways(library, users, county):
    from conftest import make_user

    village_cadre = make_user("village_cadre", county["village_a"], "乡镇村干部")
    town = library["town"]
    assert access.visible_documents(users["member"]).filter(pk=town.pk).exists()  # 甲镇 itself
    assert access.visible_documents(village_cadre).filter(pk=town.pk).exists()  # below 甲镇
    assert access.visible_documents(users["leader"]).filter(pk=town.pk).exists()  # the county above
    assert not access.visible_documents(users["outsider"]).filter(pk=town.pk).exists()  # 乙镇
    assert access.visible_documents(users["outsider"]).filter(pk=library["county"].pk).exists()
    assert search.search(users["outsider"], "夜间值班").hits == []
    assert search.search(users["member"], "夜间值班").hits[0].document == "甲镇值班制度"
    assert not access.visible_documents(users["nobody"]).filter(pk=town.pk).exists()


def test_document_of_another_township_is_missing(library, users):
    from django.http import Http404

    with pytest.raises(Http404):
        access.get_document_or_404(users["outsider"], library["town"].pk)


# ---------------------------------------------------------------------------------------------
# Search


def test_search_ranks_the_answering_article_first_and_highlights(library, users):
    result = search.search(users["supervision"], "工作群多久解散")
    first = result.hits[0]
    assert (first.document, first.heading) == ("青山县测试会议管理办法", "第二章 会议规范 > 第四条")
    # 日内 is how documents say 多久 (an expansion): highlighted too, next to 解散.
    assert first.highlighted == ("第四条 <mark>工作群</mark>任务结束后7<mark>日内解散</mark>，不得在<mark>工作群</mark>内"
                                 "以在线时长对基层排名。")
    assert result.terms == ["工作", "工作群", "多久", "解散"]


def test_search_by_doc_number_and_article(library, users):
    result = search.search(users["supervision"], "青政办发(2025)21号第三条")
    assert result.exact_document == "青山县测试会议管理办法"
    assert result.exact_article == "第3条"
    assert result.hits[0].article == "第3条"
    assert result.total == 5  # every passage of the named document


def test_search_article_in_arabic_numerals(library, users):
    assert search.search(users["supervision"], "第4条").hits[0].heading == "第二章 会议规范 > 第四条"


def test_filters_by_level_issuer_and_date(library, users):
    leader = users["leader"]
    assert search.search(leader, "值班", level="乡镇").hits[0].document == "甲镇值班制度"
    assert search.search(leader, "值班", level="县级").hits == []
    assert search.search(leader, "会议", issuer="人民政府办公室").total == 5
    assert search.search(leader, "会议", issuer="甲镇").total == 0
    assert search.search(leader, "会议", date_from=date(2025, 4, 1)).total == 0
    assert search.search(leader, "会议", date_to=date(2025, 3, 18)).total == 5


def test_highlight_escapes_html(db):
    from qingzhuang.assistant.text import highlight

    assert highlight("<b>工作群</b>解散", ["工作群"]) == "&lt;b&gt;<mark>工作群</mark>&lt;/b&gt;解散"


def test_empty_and_stopword_queries_find_nothing(library, users):
    assert search.search(users["leader"], "").hits == []
    assert search.search(users["leader"], "是不是什么").total == 0


def test_index_follows_changes_made_by_other_processes(library, users):
    before = search.current_index()
    PolicyDocument.objects.filter(pk=library["town"].pk).update(status=DocumentStatus.FAILED)
    services.bump_library()
    after = search.current_index()
    assert after is not before and after.size == before.size - 3


# ---------------------------------------------------------------------------------------------
# Commands


def test_add_policies_command_json(db, tmp_path, settings):
    folder = tmp_path / "docs"
    folder.mkdir()
    write(folder, "rules.md", RULES)
    write(folder, "notes.exe", "x")  # not a policy file type: skipped when a folder is given
    out = io.StringIO()
    call_command("add_policies", str(folder), "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["added"] == 1 and payload["failed"] == 0 and payload["skipped"] == 0
    assert payload["files"][0]["title"] == "青山县测试会议管理办法"
    assert payload["files"][0]["status"] == "indexed" and payload["files"][0]["passages"] == 5
    out = io.StringIO()
    call_command("add_policies", str(folder / "rules.md"), "--json", stdout=out)
    assert json.loads(out.getvalue())["skipped"] == 1


def test_add_policies_command_refuses_missing_and_bad_files(db, tmp_path):
    out = io.StringIO()
    with pytest.raises(CommandError, match="找不到文件：nope.docx"):
        call_command("add_policies", "nope.docx", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"errors": [{"code": "not_found", "value": "nope.docx",
                                                      "message": "找不到文件：nope.docx"}]}
    bad = write(tmp_path, "broken.docx", "not a zip")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 个文件无法添加"):
        call_command("add_policies", str(bad), "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["failed"] == 1 and payload["errors"][0]["code"] == "unreadable"
    assert not PolicyDocument.objects.exists()


def test_reindex_command_redoes_documents_cut_under_older_rules(library):
    PolicyDocument.objects.filter(pk=library["county"].pk).update(tokenizer="old-dictionary")
    out = io.StringIO()
    call_command("reindex_policies", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["documents"] == [{"id": library["county"].pk, "title": "青山县测试会议管理办法", "status": "indexed"}]
    assert not services.stale_documents().exists()
    out = io.StringIO()
    call_command("reindex_policies", "--json", stdout=out)
    assert json.loads(out.getvalue())["documents"] == []
    out = io.StringIO()
    call_command("reindex_policies", "--all", "--json", stdout=out)
    assert json.loads(out.getvalue())["indexed"] == 2


def test_stale_documents_page_notice_and_reindex(library, users, county, verified_client,
                                                  django_capture_on_commit_callbacks):
    from conftest import make_user

    PolicyDocument.objects.filter(pk=library["town"].pk).update(tokenizer="old-dictionary")
    other_manager = make_user("town_b_manager", county["town_b"], "督查室")
    client = verified_client(other_manager)
    assert "stale-notice" not in client.get("/assistant/policies/").content.decode()  # 甲镇's document
    client.post("/assistant/policies/reindex/")
    assert services.stale_documents().count() == 1  # not theirs to reindex
    client = verified_client(users["supervision"])
    assert "有 1 个文件仍按旧词典建立索引" in client.get("/assistant/policies/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/assistant/policies/reindex/", follow=True)
    assert "已将1个文件重新排队建立索引" in response.content.decode()
    assert not services.stale_documents().exists()


def test_reindex_refreshes_guessed_metadata_but_keeps_hand_edits(library, users):
    county_doc, town_doc = library["county"], library["town"]
    PolicyDocument.objects.filter(pk=county_doc.pk).update(title="旧的猜测", level="其他")
    services.policy_update(actor=users["supervision"], document=town_doc, title="甲镇值班制度（修订）",
                           issuer="甲镇人民政府", level="乡镇")
    services.index_document(county_doc.pk)
    services.index_document(town_doc.pk)
    county_doc.refresh_from_db()
    town_doc.refresh_from_db()
    assert (county_doc.title, county_doc.level) == ("青山县测试会议管理办法", "县级")
    assert town_doc.title == "甲镇值班制度（修订）"


def test_index_build_survives_a_document_changing_between_its_queries(library, users, monkeypatch):
    """A document deleted after the passages were read loses them; one being re-indexed keeps its old ones."""
    from qingzhuang.assistant.models import IndexState

    real = PolicyPassage.objects.filter

    def passages_then_changes(*args, **kwargs):
        result = list(real(*args, **kwargs).order_by("document_id", "position")
                      .values_list("pk", "document_id", "article", "tokens", "embedding"))
        PolicyDocument.objects.filter(pk=library["town"].pk).delete()
        PolicyDocument.objects.filter(pk=library["county"].pk).update(status=DocumentStatus.RUNNING)

        class Rows:
            def order_by(self, *a):
                return self

            def values_list(self, *a):
                return result

        return Rows()

    monkeypatch.setattr(PolicyPassage.objects, "filter", passages_then_changes)
    IndexState.objects.update_or_create(pk=1, defaults={"token": "changed"})
    index = search.current_index()
    assert index.size == 5 and set(index.docs) == {library["county"].pk}


def test_highlight_after_a_character_whose_lower_case_is_longer(db):
    # İ (U+0130) lower-cases to two characters: the <mark> must still wrap exactly the hit.
    from qingzhuang.assistant.text import highlight

    assert "İ".lower() != "İ" and len("İ".lower()) == 2
    assert highlight("İİ 工作群解散", ["工作群"]) == "İİ <mark>工作群</mark>解散"
    assert highlight("İstanbul 工作群", ["İstanbul".lower(), "工作群"]) == "<mark>İstanbul</mark> <mark>工作群</mark>"
    # Before the fix the folded text was longer than the text: a hit at its end raised IndexError.
    assert highlight("İ工作群", ["工作群"]) == "İ<mark>工作群</mark>"
    assert highlight("ＡＢＣ工作群", ["abc"]) == "<mark>ＡＢＣ</mark>工作群"


def test_search_over_a_passage_with_dotted_capital_i(db, tmp_path, users):
    # A policy that mentions İzmir before the hit: search answers, and marks exactly 工作群.
    path = write(tmp_path, "izmir.txt", "关于İzmir友好交流的通知\n\n第一条 İİ交流工作群任务结束后解散。\n")
    services.policy_add(actor=users["supervision"], path=path, filename="izmir.txt", index_now=True)
    result = search.search(users["leader"], "工作群")
    assert result.total >= 1
    hit = next(h for h in result.hits if "İİ" in h.text)
    assert "İİ交流<mark>工作群</mark>任务结束后" in hit.highlighted
