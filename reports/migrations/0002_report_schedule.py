from django.db import migrations


def schedule_create(apps, schema_editor):
    """The one schedule row: Monday 08:00 in each reader's time zone, until an admin sets it."""
    ReportSchedule = apps.get_model("reports", "ReportSchedule")
    ReportSchedule.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(schedule_create, migrations.RunPython.noop)]
