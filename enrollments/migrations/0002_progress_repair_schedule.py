"""Schedule the nightly progress drift repair (editable later in the admin, under Periodic tasks)."""

from django.db import migrations

from lms_project.schedules import schedule


class Migration(migrations.Migration):
    dependencies = [
        ("enrollments", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(
            *schedule(
                "Repair course and enrollment counters (nightly)",
                "enrollments.tasks.repair_progress_drift_task",
                queue="progress",
                crontab={"minute": "15", "hour": "2"},
            )
        )
    ]
