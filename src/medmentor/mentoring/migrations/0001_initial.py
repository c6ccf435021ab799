"""The one-to-one matching models, moved here from the programs app (issue 10).

The tables already exist: programs/migrations/0002_matching.py made them, and they keep
their names (`db_table`). So this migration creates the models in Django's state only
(SeparateDatabaseAndState, no database operation); programs 0004 then forgets them
there. Every row an existing database holds stays where it is. The content types of
the six models move with them (their permissions and admin history follow).
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED_MODELS = (
    "matchingprofile",
    "matchingrun",
    "matchingunmatched",
    "matchingconflict",
    "matchingpair",
    "mentorship",
)


def _content_types_to_mentoring(apps, schema_editor):
    """Relabel the models' content types, so permissions and admin log entries that
    point at them follow; a content type mentoring already has is left alone."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    have = set(
        ContentType.objects.filter(app_label="mentoring", model__in=MOVED_MODELS).values_list(
            "model", flat=True
        )
    )
    ContentType.objects.filter(
        app_label="programs", model__in=set(MOVED_MODELS) - have
    ).update(app_label="mentoring")


def _content_types_to_programs(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    have = set(
        ContentType.objects.filter(app_label="programs", model__in=MOVED_MODELS).values_list(
            "model", flat=True
        )
    )
    ContentType.objects.filter(
        app_label="mentoring", model__in=set(MOVED_MODELS) - have
    ).update(app_label="programs")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('programs', '0003_pair_removed_by'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='MatchingProfile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('capacity', models.IntegerField(default=1, help_text='Mentors: how many mentees they take (0 = none this time).', validators=[django.core.validators.MinValueValidator(0)])),
                        ('specialty', models.CharField(blank=True, max_length=120)),
                        ('interests', models.JSONField(blank=True, default=list)),
                        ('site', models.CharField(blank=True, max_length=120)),
                        ('languages', models.JSONField(blank=True, default=list)),
                        ('gender', models.CharField(blank=True, max_length=60)),
                        ('urim', models.BooleanField(blank=True, help_text='Underrepresented in medicine; blank = not shared.', null=True)),
                        ('first_generation', models.BooleanField(blank=True, help_text='First in family to attend college; blank = not shared.', null=True)),
                        ('concordance', models.JSONField(blank=True, default=list, help_text='Mentees: identity attributes they asked to share with their mentor (gender, urim, first_generation).')),
                        ('availability', models.JSONField(blank=True, default=list, help_text='Time slots they can meet; empty = any time.')),
                        ('preferences', models.JSONField(blank=True, help_text='Ranked emails of the other side, most preferred first; a list inside the list is a tie. Empty = no list collected.', null=True)),
                        ('enrollment', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='matching_profile', to='programs.enrollment')),
                    ],
                    options={
                        'db_table': 'programs_matchingprofile',
                    },
                ),
                migrations.CreateModel(
                    name='MatchingRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('objective', models.CharField(choices=[('stable', 'Stable (no two people would both rather be together)'), ('optimal', 'Optimal (highest total compatibility)')], max_length=10)),
                        ('weights', models.JSONField(default=dict, help_text='Criterion -> weight.')),
                        ('rules', models.JSONField(default=dict, help_text='The hard rules, as the director set them.')),
                        ('seed', models.IntegerField(default=0)),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('draft', 'Draft'), ('published', 'Published'), ('failed', 'Failed')], default='queued', max_length=10)),
                        ('error', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('published_at', models.DateTimeField(blank=True, null=True)),
                        ('mentees', models.IntegerField(default=0)),
                        ('mentors', models.IntegerField(default=0)),
                        ('matched', models.IntegerField(default=0)),
                        ('unmatched', models.IntegerField(default=0)),
                        ('total_score', models.FloatField(default=0.0)),
                        ('blocking_pairs', models.IntegerField(default=0)),
                        ('tradeoff', models.JSONField(blank=True, default=dict)),
                        ('warnings', models.JSONField(blank=True, default=list)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('program', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='matching_runs', to='programs.program')),
                    ],
                    options={
                        'db_table': 'programs_matchingrun',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='MatchingUnmatched',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('side', models.CharField(max_length=10)),
                        ('code', models.CharField(max_length=30)),
                        ('reason', models.TextField()),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='unmatched_people', to='mentoring.matchingrun')),
                    ],
                    options={
                        'db_table': 'programs_matchingunmatched',
                        'ordering': ['side', 'person__full_name'],
                    },
                ),
                migrations.CreateModel(
                    name='MatchingConflict',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reason', models.CharField(choices=[('evaluates', 'The mentor evaluates the mentee'), ('supervises', 'The mentor supervises the mentee'), ('declared', 'A declared conflict')], default='declared', max_length=20)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('mentee', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('mentor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('program', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='matching_conflicts', to='programs.program')),
                    ],
                    options={
                        'db_table': 'programs_matchingconflict',
                        'constraints': [models.UniqueConstraint(fields=('program', 'mentor', 'mentee'), name='unique_matching_conflict')],
                    },
                ),
                migrations.CreateModel(
                    name='MatchingPair',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('score', models.FloatField(default=0.0)),
                        ('explanation', models.JSONField(default=dict)),
                        ('locked', models.BooleanField(default=False, help_text='Kept as it is when matching runs again.')),
                        ('kept', models.BooleanField(default=False, help_text='An existing pair the run kept.')),
                        ('mentee', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('mentor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pairs', to='mentoring.matchingrun')),
                    ],
                    options={
                        'db_table': 'programs_matchingpair',
                        'ordering': ['mentor__full_name', 'mentee__full_name'],
                        'constraints': [models.UniqueConstraint(fields=('run', 'mentee'), name='one_mentor_per_mentee_per_run')],
                    },
                ),
                migrations.CreateModel(
                    name='Mentorship',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('started_on', models.DateField()),
                        ('ended_on', models.DateField(blank=True, null=True)),
                        ('mentee', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='mentorships_as_mentee', to=settings.AUTH_USER_MODEL)),
                        ('mentor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='mentorships_as_mentor', to=settings.AUTH_USER_MODEL)),
                        ('program', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='mentorships', to='programs.program')),
                        ('run', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='mentorships', to='mentoring.matchingrun')),
                    ],
                    options={
                        'db_table': 'programs_mentorship',
                        'ordering': ['mentor__full_name', 'mentee__full_name'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('ended_on__isnull', True)), fields=('program', 'mentee'), name='one_current_mentor_per_mentee')],
                    },
                ),
            ],
        ),
        migrations.RunPython(_content_types_to_mentoring, _content_types_to_programs),
    ]
