from django.conf import settings
from django.db import migrations


def create(apps, schema_editor):
    """The one row of lead times, starting from the QUALIFICATION_WARNING_DAYS setting."""
    ReminderSettings = apps.get_model("notifications", "ReminderSettings")
    ReminderSettings.objects.get_or_create(
        pk=1,
        defaults={
            "qualification_days": sorted(settings.QUALIFICATION_WARNING_DAYS, reverse=True)
        },
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
