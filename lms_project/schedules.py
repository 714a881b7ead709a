"""Beat schedules as data: each app's data migration declares its periodic tasks with `schedule()`.

Rows live in django-celery-beat's tables, so admins can change or pause them under *Periodic tasks*;
re-running a migration never duplicates a row (matched by name).
"""

from __future__ import annotations

from typing import Any


def schedule(
    name: str, task: str, *, queue: str, crontab: dict[str, str] | None = None, every_minutes: int = 0
):
    """A pair of RunPython functions (create, remove) for one periodic task: a crontab (UTC) or an
    interval of `every_minutes`."""

    def create(apps: Any, schema_editor: Any) -> None:
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        if crontab is not None:
            CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
            timing, _ = CrontabSchedule.objects.get_or_create(
                **{"day_of_week": "*", "day_of_month": "*", "month_of_year": "*", **crontab}, timezone="UTC"
            )
            when = {"crontab": timing}
        else:
            IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
            timing, _ = IntervalSchedule.objects.get_or_create(every=every_minutes, period="minutes")
            when = {"interval": timing}
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "queue": queue, "enabled": True, **when}
        )

    def remove(apps: Any, schema_editor: Any) -> None:
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()

    return create, remove
