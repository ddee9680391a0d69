"""The import of a large file runs in the worker (`huiyin worker`, django-tasks' database backend); the
page polls the batch's progress."""

from __future__ import annotations

from django_tasks import task

from huiyin.imports.services import batch_run


@task()
def import_batch_task(batch_id: int) -> str:
    return batch_run(batch_id)
