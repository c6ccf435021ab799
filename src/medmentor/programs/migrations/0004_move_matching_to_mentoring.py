"""The one-to-one matching models moved to the mentoring app (issue 10, DESIGN.md
"Program kinds"): Django's state forgets them here, after mentoring 0001 took them over.

No table is dropped or changed: the models keep their tables (`db_table` =
"programs_matching…", "programs_mentorship"), so every row stays where it is. Only
the state changes (SeparateDatabaseAndState with no database operations).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('programs', '0003_pair_removed_by'),
        ('mentoring', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='matchingpair',
                    name='mentee',
                ),
                migrations.RemoveField(
                    model_name='matchingpair',
                    name='mentor',
                ),
                migrations.RemoveField(
                    model_name='matchingpair',
                    name='run',
                ),
                migrations.RemoveField(
                    model_name='matchingprofile',
                    name='enrollment',
                ),
                migrations.RemoveField(
                    model_name='matchingrun',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='matchingrun',
                    name='program',
                ),
                migrations.RemoveField(
                    model_name='matchingunmatched',
                    name='run',
                ),
                migrations.RemoveField(
                    model_name='mentorship',
                    name='run',
                ),
                migrations.RemoveField(
                    model_name='matchingunmatched',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='mentorship',
                    name='mentee',
                ),
                migrations.RemoveField(
                    model_name='mentorship',
                    name='mentor',
                ),
                migrations.RemoveField(
                    model_name='mentorship',
                    name='program',
                ),
                migrations.DeleteModel(
                    name='MatchingConflict',
                ),
                migrations.DeleteModel(
                    name='MatchingPair',
                ),
                migrations.DeleteModel(
                    name='MatchingProfile',
                ),
                migrations.DeleteModel(
                    name='MatchingRun',
                ),
                migrations.DeleteModel(
                    name='MatchingUnmatched',
                ),
                migrations.DeleteModel(
                    name='Mentorship',
                ),
            ],
        ),
    ]
