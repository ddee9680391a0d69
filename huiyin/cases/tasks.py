"""A long case list's export runs in the worker (`huiyin worker`, django-tasks' database backend); its
page polls the rows written (huiyin/cases/exports.py)."""

from __future__ import annotations

from django_tasks import task

from huiyin.cases.exports import job_run


@task()
def export_job_task(job_id: int) -> str:
    return job_run(job_id)
