from django.db import migrations, models


def fill_number_answers(apps, schema_editor):
    """Pack the answers of responses submitted before the column existed (the same
    format as surveys.models.number_answers_pack, written out here because a migration
    must not change when the app's code does)."""
    import numpy as np

    Response = apps.get_model("surveys", "Response")
    Answer = apps.get_model("surveys", "Answer")
    Item = apps.get_model("surveys", "Item")
    number_items = {}
    for item in Item.objects.all():
        if item.kind in ("likert", "numeric", "yes_no"):
            number_items[item.pk] = True
        elif item.kind == "single":
            number_items[item.pk] = all(
                str(code).lstrip("-").isdigit() for code, _ in item.choices
            )
    for response in Response.objects.filter(submitted_at__isnull=False).iterator():
        pairs = [
            (item_id, int(value))
            for item_id, value in Answer.objects.filter(response=response)
            .order_by("item_id")
            .values_list("item_id", "value")
            if value != "" and number_items.get(item_id)
        ]
        response.number_answers = np.array(pairs, dtype="<i4").reshape(-1, 2).tobytes()
        response.save(update_fields=["number_answers"])


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="number_answers",
            field=models.BinaryField(
                blank=True,
                editable=False,
                help_text="Submitted answers to number items, packed (see number_answers_pack).",
                null=True,
            ),
        ),
        migrations.RunPython(fill_number_answers, migrations.RunPython.noop),
    ]
