"""The policy library of the assistant: documents, their passages, and the index version."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from qingzhuang.jobs.models import JobFields


class Level(models.TextChoices):
    NATIONAL = "国家", "国家"
    PROVINCE = "省级", "省级"
    CITY = "市级", "市级"
    COUNTY = "县级", "县级"
    TOWNSHIP = "乡镇", "乡镇"
    OTHER = "其他", "其他"


class DocumentStatus(models.TextChoices):
    """A document's indexing, a job of ``jobs.lifecycle``: the job states (their member names), with the
    values and words of indexing (pending, indexing, indexed, failed)."""

    QUEUED = "pending", "等待索引"
    RUNNING = "indexing", "正在索引"
    SUCCEEDED = "indexed", "已索引"
    FAILED = "failed", "索引失败"


class PolicyDocument(JobFields):
    """A policy document of the library. ``unit`` is the unit that added it: the document is
    visible to that unit's subtree and to the units above it (policies flow down); None is a
    document of the whole platform (added from the command line or the demo).

    Indexing the document is its job (``jobs.JobFields``, ``jobs.lifecycle``): queued when added or
    re-indexed, claimed by one worker, marked failed when that worker died, re-indexed by ``retry``.
    ``progress_done`` of ``progress_total`` counts the passages of the run."""

    Status = DocumentStatus
    stale_message = "索引任务已中断（服务重启或处理进程退出），请重新索引"

    title = models.CharField("标题", max_length=200)
    issuer = models.CharField("发文机关", max_length=100, blank=True)
    doc_number = models.CharField("文号", max_length=100, blank=True)
    # doc_number normalised (brackets, spaces): what an exact 文号 query is matched against.
    doc_number_key = models.CharField(max_length=100, blank=True, db_index=True, editable=False)
    issued_on = models.DateField("成文日期", null=True, blank=True)
    level = models.CharField("层级", max_length=8, choices=Level.choices, default=Level.OTHER)
    tags = models.JSONField("标签", default=list, blank=True)
    unit = models.ForeignKey("orgs.Unit", verbose_name="上传单位", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    file = models.CharField("文件", max_length=500, blank=True)
    original_name = models.CharField("原文件名", max_length=255)
    format = models.CharField("格式", max_length=8)
    sha256 = models.CharField(max_length=64, db_index=True, editable=False)
    text = models.TextField("全文", blank=True)
    status = models.CharField("状态", max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED)
    passage_count = models.PositiveIntegerField("段落数", default=0)
    # Set when someone edits the metadata by hand: re-indexing then keeps their values.
    metadata_edited = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    indexed_at = models.DateTimeField(null=True, blank=True)
    # ``text.SIGNATURE`` when indexed: another value means the tokens were cut under other rules.
    tokenizer = models.CharField(max_length=16, blank=True, editable=False)

    class Meta:
        verbose_name = "政策文件"
        verbose_name_plural = "政策文件"
        ordering = ["-issued_on", "-id"]
        permissions = [("manage_policies", "维护政策库")]

    def __str__(self) -> str:
        return self.title


class PolicyPassage(models.Model):
    """A passage of a document, split along its structure (第X章/第X条/一、/（一）)."""

    document = models.ForeignKey(PolicyDocument, on_delete=models.CASCADE, related_name="passages")
    position = models.PositiveIntegerField("序号")
    heading = models.CharField("标题路径", max_length=300, blank=True)
    # The article key for exact matching: "第12条", "一、", "二、 > （三）".
    article = models.CharField(max_length=60, blank=True)
    text = models.TextField("内容")
    # The passage's search tokens (jieba), space-separated: the in-memory index is rebuilt from
    # these without segmenting anything again.
    tokens = models.TextField(blank=True)
    # float32 embedding, when an embeddings endpoint is configured.
    embedding = models.BinaryField(null=True, blank=True)

    class Meta:
        verbose_name = "政策段落"
        verbose_name_plural = "政策段落"
        ordering = ["document", "position"]
        constraints = [models.UniqueConstraint(fields=["document", "position"], name="passage_unique_position")]

    def __str__(self) -> str:
        return f"{self.document_id}:{self.position} {self.heading}"


class IndexState(models.Model):
    """One row: the library's version, a new random token in every transaction that changes what
    is searchable. Each process rebuilds its in-memory index when its token differs (a token, not
    a counter: a rolled-back change must not leave a process believing it is current)."""

    token = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = "索引状态"
        verbose_name_plural = "索引状态"

    def __str__(self) -> str:
        return self.token
