"""Schedule the certificate sweeps (editable later in the admin, under Periodic tasks).

- hourly: issue certificates for completed enrollments that never got one (the completion hook's
  task was lost: broker down, worker killed);
- daily: re-render PDFs that were never stored or whose file disappeared.
"""

from django.db import migrations

SCHEDULES = [
    {
        "name": "Issue missing certificates (hourly)",
        "task": "certificates.tasks.issue_missing_certificates_task",
        "crontab": {"minute": "7", "hour": "*"},
    },
    {
        "name": "Re-render missing certificate PDFs (daily)",
        "task": "certificates.tasks.render_missing_certificate_pdfs_task",
        "crontab": {"minute": "40", "hour": "3"},
    },
]


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for schedule in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            **schedule["crontab"], day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
        )
        PeriodicTask.objects.get_or_create(
            name=schedule["name"],
            defaults={"task": schedule["task"], "crontab": crontab, "queue": "certificates", "enabled": True},
        )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[schedule["name"] for schedule in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
