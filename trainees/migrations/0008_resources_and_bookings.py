"""Resources and bookings (issue 28): the free-text locations become resources, the expected
trainees move to booking rows that carry the session's times, and PostgreSQL refuses a trainer, a
trainee or a one-session resource in two scheduled sessions at once.

Sessions already scheduled over each other cannot get the constraint: the migration names them
and stops, so that someone moves or cancels them first (nothing is changed on its own)."""

import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import simple_history.models
import trainingtracker.constraints
from django.conf import settings

from django.db import migrations, models

from trainees.migrations._bookings import bookings_from_rosters_and_locations, history_of_rosters


class Migration(migrations.Migration):

    dependencies = [
        ('curriculum', '0004_translations_source_language'),
        ('trainees', '0007_result_signature_method'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        trainingtracker.constraints.BtreeGistKept(),
        migrations.CreateModel(
            name='TrainerAuthorisation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('module_code', models.CharField(max_length=20, verbose_name='module code')),
                ('granted_on', models.DateField(verbose_name='granted on')),
                ('expires_on', models.DateField(blank=True, null=True, verbose_name='expires on')),
                ('withdrawn_on', models.DateField(blank=True, null=True, verbose_name='withdrawn on')),
            ],
            options={
                'verbose_name': 'instructor authorisation',
                'verbose_name_plural': 'instructor authorisations',
                'ordering': ['module_code', 'trainer__display_name'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalResource',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('name', models.CharField(max_length=120, verbose_name='name')),
                ('kind', models.CharField(choices=[('simulator', 'Simulator'), ('pool', 'Pool'), ('centrifuge', 'Centrifuge'), ('chamber', 'Altitude or hypoxia chamber'), ('laboratory', 'Laboratory'), ('survival_site', 'Survival site'), ('classroom', 'Classroom or hall'), ('other', 'Other')], default='other', max_length=20, verbose_name='kind')),
                ('capacity', models.PositiveSmallIntegerField(default=1, help_text='How many sessions can use it at once: 1 for a device one session uses.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(50)], verbose_name='capacity')),
                ('required_qualification', models.CharField(blank=True, help_text='The code of a qualification a trainee must hold, current, to be booked into it (water survival before the pool).', max_length=40, verbose_name='required qualification')),
                ('notes', models.TextField(blank=True, verbose_name='notes')),
                ('retired_on', models.DateField(blank=True, null=True, verbose_name='retired on')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical resource',
                'verbose_name_plural': 'historical resources',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalSessionTrainee',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('starts_at', models.DateTimeField(null=True, verbose_name='starts at')),
                ('ends_at', models.DateTimeField(null=True, verbose_name='ends at')),
                ('scheduled', models.BooleanField(default=True, verbose_name='scheduled')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='trainees.historicaltrainingsession')),
                ('session', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='trainees.trainingsession', verbose_name='session')),
                ('trainee', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='trainees.trainee', verbose_name='trainee')),
            ],
            options={
                'verbose_name': 'HistoricalSessionTrainee',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalTrainerAuthorisation',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('module_code', models.CharField(max_length=20, verbose_name='module code')),
                ('granted_on', models.DateField(verbose_name='granted on')),
                ('expires_on', models.DateField(blank=True, null=True, verbose_name='expires on')),
                ('withdrawn_on', models.DateField(blank=True, null=True, verbose_name='withdrawn on')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('granted_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='granted by')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('programme', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='curriculum.programme', verbose_name='programme')),
                ('trainer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='trainer')),
            ],
            options={
                'verbose_name': 'historical instructor authorisation',
                'verbose_name_plural': 'historical instructor authorisations',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Resource',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, verbose_name='name')),
                ('kind', models.CharField(choices=[('simulator', 'Simulator'), ('pool', 'Pool'), ('centrifuge', 'Centrifuge'), ('chamber', 'Altitude or hypoxia chamber'), ('laboratory', 'Laboratory'), ('survival_site', 'Survival site'), ('classroom', 'Classroom or hall'), ('other', 'Other')], default='other', max_length=20, verbose_name='kind')),
                ('capacity', models.PositiveSmallIntegerField(default=1, help_text='How many sessions can use it at once: 1 for a device one session uses.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(50)], verbose_name='capacity')),
                ('required_qualification', models.CharField(blank=True, help_text='The code of a qualification a trainee must hold, current, to be booked into it (water survival before the pool).', max_length=40, verbose_name='required qualification')),
                ('notes', models.TextField(blank=True, verbose_name='notes')),
                ('retired_on', models.DateField(blank=True, null=True, verbose_name='retired on')),
            ],
            options={
                'verbose_name': 'resource',
                'verbose_name_plural': 'resources',
                'ordering': ['name'],
                'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('name'), name='resource_name_unique', violation_error_message='A resource with this name exists already.'), models.CheckConstraint(condition=models.Q(('capacity__gte', 1), ('capacity__lte', 50)), name='resource_capacity_range'), models.CheckConstraint(condition=models.Q(('kind__in', ['simulator', 'pool', 'centrifuge', 'chamber', 'laboratory', 'survival_site', 'classroom', 'other'])), name='resource_kind_known')],
            },
        ),
        migrations.CreateModel(
            name='HistoricalSessionResource',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('starts_at', models.DateTimeField(null=True, verbose_name='starts at')),
                ('ends_at', models.DateTimeField(null=True, verbose_name='ends at')),
                ('scheduled', models.BooleanField(default=True, verbose_name='scheduled')),
                ('exclusive', models.BooleanField(default=True, verbose_name='one session at a time')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='trainees.historicaltrainingsession')),
                ('session', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='trainees.trainingsession', verbose_name='session')),
                ('resource', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='trainees.resource', verbose_name='resource')),
            ],
            options={
                'verbose_name': 'HistoricalSessionResource',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalResourceUnavailability',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('starts_at', models.DateTimeField(verbose_name='from')),
                ('ends_at', models.DateTimeField(verbose_name='until')),
                ('reason', models.CharField(max_length=200, verbose_name='reason')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                ('resource', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='trainees.resource', verbose_name='resource')),
            ],
            options={
                'verbose_name': 'historical unavailable period',
                'verbose_name_plural': 'historical unavailable periods',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='ResourceUnavailability',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('starts_at', models.DateTimeField(verbose_name='from')),
                ('ends_at', models.DateTimeField(verbose_name='until')),
                ('reason', models.CharField(max_length=200, verbose_name='reason')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                ('resource', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='unavailable_periods', to='trainees.resource', verbose_name='resource')),
            ],
            options={
                'verbose_name': 'unavailable period',
                'verbose_name_plural': 'unavailable periods',
                'ordering': ['starts_at'],
            },
        ),
        migrations.CreateModel(
            name='SessionResource',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('starts_at', models.DateTimeField(null=True, verbose_name='starts at')),
                ('ends_at', models.DateTimeField(null=True, verbose_name='ends at')),
                ('scheduled', models.BooleanField(default=True, verbose_name='scheduled')),
                ('exclusive', models.BooleanField(default=True, verbose_name='one session at a time')),
                ('resource', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='bookings', to='trainees.resource', verbose_name='resource')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='trainees.trainingsession', verbose_name='session')),
            ],
            options={
                'verbose_name': 'booked resource',
                'verbose_name_plural': 'booked resources',
            },
        ),
        migrations.AddField(
            model_name='trainingsession',
            name='resources',
            field=models.ManyToManyField(blank=True, help_text='The places and devices it books: simulators, the pool, a classroom.', related_name='sessions', through='trainees.SessionResource', to='trainees.resource', verbose_name='resources'),
        ),
        migrations.CreateModel(
            name='SessionTrainee',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('starts_at', models.DateTimeField(null=True, verbose_name='starts at')),
                ('ends_at', models.DateTimeField(null=True, verbose_name='ends at')),
                ('scheduled', models.BooleanField(default=True, verbose_name='scheduled')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='trainees.trainingsession', verbose_name='session')),
                ('trainee', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='bookings', to='trainees.trainee', verbose_name='trainee')),
            ],
            options={
                'verbose_name': 'expected trainee',
                'verbose_name_plural': 'expected trainees',
            },
        ),
        migrations.AddField(
            model_name='trainingsession',
            name='roster',
            field=models.ManyToManyField(blank=True, help_text='Who is expected: the log lists them.', related_name='+', through='trainees.SessionTrainee', to='trainees.trainee', verbose_name='expected trainees'),
        ),
        migrations.AddField(
            model_name='trainerauthorisation',
            name='granted_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='granted by'),
        ),
        migrations.AddField(
            model_name='trainerauthorisation',
            name='programme',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='curriculum.programme', verbose_name='programme'),
        ),
        migrations.AddField(
            model_name='trainerauthorisation',
            name='trainer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='authorisations', to=settings.AUTH_USER_MODEL, verbose_name='trainer'),
        ),
        migrations.AddIndex(
            model_name='resourceunavailability',
            index=models.Index(fields=['resource', 'starts_at'], name='unavailable_resource_start'),
        ),
        migrations.AddConstraint(
            model_name='resourceunavailability',
            constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='unavailable_ends_after_start', violation_error_message='The period must end after it starts.'),
        ),
        migrations.AddConstraint(
            model_name='resourceunavailability',
            constraint=models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='unavailable_has_reason'),
        ),
        migrations.AddIndex(
            model_name='sessionresource',
            index=models.Index(fields=['resource', 'starts_at'], name='booking_resource_start'),
        ),
        migrations.AddConstraint(
            model_name='sessionresource',
            constraint=models.UniqueConstraint(fields=('session', 'resource'), name='booking_resource_once'),
        ),
        migrations.AddConstraint(
            model_name='sessionresource',
            constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='booking_resource_times'),
        ),
        migrations.AddIndex(
            model_name='sessiontrainee',
            index=models.Index(fields=['trainee', 'starts_at'], name='booking_trainee_start'),
        ),
        migrations.AddConstraint(
            model_name='sessiontrainee',
            constraint=models.UniqueConstraint(fields=('session', 'trainee'), name='booking_trainee_once'),
        ),
        migrations.AddConstraint(
            model_name='sessiontrainee',
            constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='booking_trainee_times'),
        ),
        migrations.AddIndex(
            model_name='trainerauthorisation',
            index=models.Index(fields=['programme', 'module_code'], name='authorisation_module'),
        ),
        migrations.AddConstraint(
            model_name='trainerauthorisation',
            constraint=models.CheckConstraint(condition=models.Q(('expires_on__isnull', True), ('expires_on__gt', models.F('granted_on')), _connector='OR'), name='authorisation_expires_after_granted', violation_error_message='An authorisation must expire after it is granted.'),
        ),
        migrations.AddConstraint(
            model_name='trainerauthorisation',
            constraint=models.CheckConstraint(condition=models.Q(('withdrawn_on__isnull', True), ('withdrawn_on__gte', models.F('granted_on')), _connector='OR'), name='authorisation_withdrawn_after_granted'),
        ),
        migrations.AddConstraint(
            model_name='trainerauthorisation',
            constraint=models.UniqueConstraint(condition=models.Q(('withdrawn_on__isnull', True)), fields=('trainer', 'programme', 'module_code'), name='authorisation_one_standing', violation_error_message='This trainer is already authorised for this module; withdraw it first.'),
        ),
        migrations.RunPython(bookings_from_rosters_and_locations, migrations.RunPython.noop),
        migrations.RunPython(history_of_rosters, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='trainingsession',
            constraint=trainingtracker.constraints.PostgresExclusionConstraint(condition=models.Q(('status', 'scheduled')), expressions=[('trainer', '='), (trainingtracker.constraints.TsTzRange('starts_at', 'ends_at'), '&&')], name='session_trainer_not_double_booked'),
        ),
        migrations.AddConstraint(
            model_name='sessiontrainee',
            constraint=trainingtracker.constraints.PostgresExclusionConstraint(condition=models.Q(('scheduled', True), ('starts_at__isnull', False)), expressions=[('trainee', '='), (trainingtracker.constraints.TsTzRange('starts_at', 'ends_at'), '&&')], name='booking_trainee_not_double_booked'),
        ),
        migrations.AddConstraint(
            model_name='sessionresource',
            constraint=trainingtracker.constraints.PostgresExclusionConstraint(condition=models.Q(('exclusive', True), ('scheduled', True), ('starts_at__isnull', False)), expressions=[('resource', '='), (trainingtracker.constraints.TsTzRange('starts_at', 'ends_at'), '&&')], name='booking_resource_not_double_booked'),
        ),
        migrations.RemoveField(model_name='trainingsession', name='trainees'),
        migrations.DeleteModel(name='HistoricalTrainingSession_trainees'),
        migrations.RemoveField(model_name='trainingsession', name='location'),
        migrations.RemoveField(model_name='historicaltrainingsession', name='location'),
        migrations.RenameField(model_name='trainingsession', old_name='roster', new_name='trainees'),
        migrations.AlterField(
            model_name='trainingsession',
            name='trainees',
            field=models.ManyToManyField(blank=True, help_text='Who is expected: the log lists them.', related_name='sessions_expected', through='trainees.SessionTrainee', to='trainees.trainee', verbose_name='expected trainees'),
        ),
    ]
