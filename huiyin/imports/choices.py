from django.db import models


class BatchState(models.TextChoices):
    QUEUED = "queued", "排队中"
    VALIDATING = "validating", "校验中"
    WRITING = "writing", "写入中"
    FAILED = "failed", "校验未通过，未导入"
    DONE = "done", "已导入"
    ERROR = "error", "导入出错，未导入"


FINISHED = (BatchState.FAILED, BatchState.DONE, BatchState.ERROR)
