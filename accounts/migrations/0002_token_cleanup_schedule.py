"""Schedule the daily clean-up of expired tokens (editable later in the admin, under Periodic tasks)."""

from django.db import migrations

from lms_project.schedules import schedule


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(
            *schedule(
                "Purge expired tokens (daily)",
                "accounts.tasks.purge_expired_tokens_task",
                queue="emails",
                crontab={"minute": "30", "hour": "3"},
            )
        )
    ]
