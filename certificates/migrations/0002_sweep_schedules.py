"""Schedule the certificate sweeps (editable later in the admin, under Periodic tasks).

- hourly: issue certificates for completed enrollments that never got one (the completion hook's
  task was lost: broker down, worker killed);
- daily: re-render PDFs that were never stored or whose file disappeared.
"""

from django.db import migrations

from lms_project.schedules import schedule


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(
            *schedule(
                "Issue missing certificates (hourly)",
                "certificates.tasks.issue_missing_certificates_task",
                queue="certificates",
                crontab={"minute": "7", "hour": "*"},
            )
        ),
        migrations.RunPython(
            *schedule(
                "Re-render missing certificate PDFs (daily)",
                "certificates.tasks.render_missing_certificate_pdfs_task",
                queue="certificates",
                crontab={"minute": "40", "hour": "3"},
            )
        ),
    ]
