from django.db import migrations

# The length services.CODE_HASH_DIGITS had when this migration was written (a
# migration must not change when the app's code does).
CODE_HASH_DIGITS = 16


def shorten_code_hashes(apps, schema_editor):
    """Keep the first 16 hex digits of every stored code element's hash, as answers
    submitted from now on are hashed: a pre-wave code stored before this and the same
    code given in a later wave still pair."""
    Response = apps.get_model("surveys", "Response")
    batch = []
    for response in (
        Response.objects.exclude(code_hashes=[]).only("pk", "code_hashes").iterator(2000)
    ):
        shortened = [element[:CODE_HASH_DIGITS] for element in response.code_hashes]
        if shortened != response.code_hashes:
            response.code_hashes = shortened
            batch.append(response)
        if len(batch) >= 2000:
            Response.objects.bulk_update(batch, ["code_hashes"])
            batch = []
    Response.objects.bulk_update(batch, ["code_hashes"])


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0004_response_wave_submitted"),
    ]

    # Not reversible: the digits dropped cannot be recovered, and code from before this
    # migration would hash new answers to 64 digits that never equal the stored 16.
    operations = [migrations.RunPython(shorten_code_hashes)]
