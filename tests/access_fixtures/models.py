from django.db import models
from guardian.models import GroupObjectPermissionBase

from publicprotection.accounts.models import Borough


class SharedRecord(models.Model):
    borough = models.ForeignKey(Borough, on_delete=models.PROTECT)
    title = models.CharField(max_length=50)

    def __str__(self) -> str:
        return self.title


class SharedRecordGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(SharedRecord, on_delete=models.CASCADE)
