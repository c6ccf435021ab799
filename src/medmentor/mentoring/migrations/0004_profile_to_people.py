"""The mentoring profile (bio, contact preference, photo) becomes every kind's
people.Profile: each row is copied (the photo keeps its stored file and name), then the
mentoring table is dropped. Backwards, the rows are copied back (languages, which only
people.Profile holds, are lost) before people.Profile goes."""

from django.db import migrations


def copy_to_people(apps, schema_editor):
    MentoringProfile = apps.get_model("mentoring", "MentoringProfile")
    Profile = apps.get_model("people", "Profile")
    Profile.objects.bulk_create(
        Profile(
            person_id=old.person_id,
            bio=old.bio,
            contact_preference=old.contact_preference,
            photo=old.photo.name if old.photo else "",
            updated_at=old.updated_at,
        )
        for old in MentoringProfile.objects.order_by("pk").iterator()
    )
    # auto_now would have set updated_at; bulk_create keeps the values given.


def copy_back(apps, schema_editor):
    MentoringProfile = apps.get_model("mentoring", "MentoringProfile")
    Profile = apps.get_model("people", "Profile")
    MentoringProfile.objects.bulk_create(
        MentoringProfile(
            person_id=new.person_id,
            bio=new.bio,
            contact_preference=new.contact_preference,
            photo=new.photo.name if new.photo else "",
            updated_at=new.updated_at,
        )
        for new in Profile.objects.order_by("pk").iterator()
    )
    Profile.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0003_merge_goals_and_health"),
        ("people", "0003_profile"),
    ]

    operations = [
        migrations.RunPython(copy_to_people, copy_back),
        migrations.DeleteModel(name="MentoringProfile"),
    ]
