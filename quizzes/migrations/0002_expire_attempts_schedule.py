"""Schedule the sweep that expires abandoned attempts (editable in the admin, under Periodic tasks)."""

from django.db import migrations

from lms_project.schedules import schedule


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(
            *schedule(
                "Expire overdue quiz attempts (every 5 minutes)",
                "quizzes.tasks.expire_overdue_attempts_task",
                queue="progress",
                every_minutes=5,
            )
        )
    ]
