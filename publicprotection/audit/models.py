"""The access log: every read of a person, incident or MARAC case record (DPA 2018 s.62),
whether on its own page or as a row of a list, search or queue.

Changes are recorded separately, by django-pghistory triggers on each tracked model. Both
are append-only: database triggers reject UPDATE and DELETE, whatever the session sets, and the
application's database role may only insert and read them (database.py, docs/adr/0002-audit.md).
"""

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Value
from django.db.models.functions import Upper

# The model whose ids an entry's subject_ids holds (a label, like the audit selectors' list of
# auditable models: the core apps import no domain app).
SUBJECT_MODEL = "cases.person"


class AccessAction(models.TextChoices):
    VIEW = "view", "Viewed"
    DOWNLOAD = "download", "Downloaded"
    EXPORT = "export", "Exported"
    DISCLOSE = "disclose", "Disclosed"
    # Linked to another record (a person to an incident): DPA 2018 s.62's "combination".
    COMBINE = "combine", "Combined (linked)"


class AccessChannel(models.TextChoices):
    WEB = "web", "Web page"
    API = "api", "API"
    DOCUMENT = "document", "Document"


class AccessLogEntry(models.Model):
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_log_entries"
    )
    action = models.CharField(max_length=10, choices=AccessAction.choices)
    channel = models.CharField(max_length=10, choices=AccessChannel.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    # One record's read names it here; a list, search or queue leaves this blank and names
    # every record it showed in object_ids instead (one entry per request, not one per row).
    object_id = models.CharField(max_length=64, blank=True)
    object_ids = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    # The people (SUBJECT_MODEL ids) the record or records read are about, when they are not
    # people themselves: the victim of a risk assessment, the people a MARAC referral names. The
    # app that knows its record's subjects names them when it logs the read, so a person's
    # record history shows every read of a record about them (ADR 0002).
    # A default in the database too: raw inserts (the partition tests, benchmarks) name none.
    subject_ids = ArrayField(
        models.CharField(max_length=64),
        default=list,
        db_default=Value([], output_field=ArrayField(models.CharField(max_length=64))),
        blank=True,
    )
    # A non-sensitive label (e.g. an incident reference) so the log reads without a join.
    object_label = models.CharField(max_length=120, blank=True)
    purpose = models.CharField(max_length=500, blank=True)
    path = models.CharField(max_length=500, blank=True)
    method = models.CharField(max_length=10, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = "access log entry"
        verbose_name_plural = "access log"
        indexes = [
            models.Index(fields=["content_type", "object_id", "-occurred_at"]),
            models.Index(fields=["user", "-occurred_at"]),
            # "Who saw this person?" also finds the lists that showed them.
            GinIndex(fields=["object_ids"], name="audit_access_object_ids_gin"),
            # ... and every read of a record about them (their assessment, referral, review).
            GinIndex(fields=["subject_ids"], name="audit_access_subject_ids_gin"),
            # The access-log search by record id or label, whatever the record's type: without
            # these its OR scanned every row (benchmarks/README.md, "Audit trail").
            models.Index(fields=["object_id"], name="audit_access_object_id"),
            models.Index(Upper("object_label"), name="audit_access_label_upper"),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.object_label or self.object_id or self.object_ids}"
