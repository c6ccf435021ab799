"""The column step on the roster import page: a registrar's file with a header medmentor
does not read is shown with each header and a choice; saving the choices previews the
same file again, and the next file with those headers needs no step."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from medmentor.people.models import Person
from medmentor.programs.models import Enrollment, ImportColumnMapping, ServiceBlock
from tests.conftest import coming_monday
from tests.programs.files import csv_bytes
from tests.programs.test_roster_column_mapping import US_GME_HEADER, US_GME_ROWS

GME = csv_bytes([US_GME_HEADER, *US_GME_ROWS])
GME_EMAILS = [row[2] for row in US_GME_ROWS]
# The select of each header, as the page names it, and the choices that fit the file.
MAPPED = {
    "column-last_name": "last_name",
    "column-first_name": "first_name",
    "column-preferred_email": "email",
    "column-pgy": "training_level",
    "column-npi": "ignore",
    "column-program_start_date": "joined_on",
    "column-mentorship_role": "role",
    "slash_dates": "month-first",
}


@pytest.fixture
def url(program):
    return reverse("roster-import", args=[program.slug])


def preview(client, url, content=GME, name="gme-roster.csv"):
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(url, {"action": "preview", "file": upload})


def test_an_unrecognised_header_opens_the_column_step_naming_it(client, director, url):
    client.force_login(director)

    response = preview(client, url)

    assert response.status_code == 400
    html = response.content.decode()
    assert '<details class="card fold" id="column-step" open>' in html
    assert "Column G: “Mentorship Role”" in html
    assert "Column E: “NPI”" in html
    assert html.count("not recognised</span>") == 2
    assert '<option value="joined_on" selected>' in html  # Program Start Date, read already
    assert "missing required column “role”" in html


def test_mapping_the_columns_previews_again_and_the_confirm_imports(client, director, url):
    client.force_login(director)
    preview(client, url)

    mapped = client.post(url, {"action": "map", **MAPPED})

    assert mapped.status_code == 200, mapped.context["result"].errors
    assert mapped.context["result"].counts["create"] == 2
    assert Person.objects.filter(email__in=GME_EMAILS).count() == 0
    done = client.post(url, {"action": "apply", "digest": mapped.context["digest"]})
    assert done.status_code == 302
    assert Enrollment.objects.filter(person__email__in=GME_EMAILS).count() == 2
    assert ImportColumnMapping.objects.get().columns == {"npi": "", "mentorship_role": "role"}


def test_the_next_file_with_the_same_headers_needs_no_column_step(client, director, url):
    client.force_login(director)
    preview(client, url)
    client.post(url, {"action": "map", **MAPPED})

    again = preview(client, url, name="gme-roster-august.csv")

    assert again.status_code == 200
    assert again.context["column_step"]["open"] is False
    assert b'<details class="card fold" id="column-step">' in again.content


def test_two_headers_for_one_column_are_refused_naming_both_and_nothing_is_saved(
    client, director, url
):
    client.force_login(director)
    preview(client, url)

    refused = client.post(url, {"action": "map", **MAPPED, "column-npi": "role"})

    assert refused.status_code == 400
    assert (
        "Columns “NPI” and “Mentorship Role” are both mapped to role; map one of them to "
        "another column or to ignore."
    ) in refused.content.decode()
    # The choices stay as posted, so the director corrects one rather than all.
    assert '<select id="column-npi" name="column-npi">' in refused.content.decode()
    assert not ImportColumnMapping.objects.exists()
    assert Person.objects.filter(email__in=GME_EMAILS).count() == 0


def test_a_file_with_problems_is_never_applied_even_with_its_digest(client, director, url):
    client.force_login(director)
    preview(client, url)

    forced = client.post(url, {"action": "apply", "digest": hashlib.sha256(GME).hexdigest()})

    assert forced.status_code == 400
    assert Person.objects.filter(email__in=GME_EMAILS).count() == 0


def test_the_column_step_without_a_waiting_preview_saves_nothing(client, director, url):
    client.force_login(director)

    response = client.post(url, {"action": "map", **MAPPED})

    assert response.status_code == 302
    assert not ImportColumnMapping.objects.exists()


@pytest.mark.parametrize("role", ["junior", "senior", "faculty", "researcher", "outsider"])
def test_only_staff_reach_the_column_step(request, client, url, role):
    client.force_login(request.getfixturevalue(role))

    response = client.post(url, {"action": "map", **MAPPED})

    assert response.status_code == 403
    assert not ImportColumnMapping.objects.exists()


def test_a_gme_export_without_roles_imports_with_one_role_for_every_row(client, director, url):
    client.force_login(director)
    export = csv_bytes([US_GME_HEADER[:-1], *(row[:-1] for row in US_GME_ROWS)])
    first = preview(client, url, export)
    assert first.status_code == 400
    assert '<select id="fill-role" name="fill-role"' in first.content.decode()

    mapped = client.post(
        url,
        {
            "action": "map",
            **{name: value for name, value in MAPPED.items() if "mentorship" not in name},
            "fill-role": "junior",
        },
    )

    assert mapped.status_code == 200, mapped.context["result"].errors
    assert [row.values["role"] for row in mapped.context["result"].rows] == ["junior", "junior"]
    assert (
        client.post(url, {"action": "apply", "digest": mapped.context["digest"]}).status_code == 302
    )
    assert Enrollment.objects.filter(person__email__in=GME_EMAILS, role="junior").count() == 2


def test_the_schedule_page_has_the_same_column_step(client, program, director, junior):
    client.force_login(director)
    url = reverse("schedule-import", args=[program.slug])
    monday = coming_monday(program)
    # An on-call rota export: "Trainee" for the email, "Block Begins"/"Block Ends",
    # dates day first.
    content = csv_bytes(
        [
            ["Trainee", "Block Begins", "Block Ends"],
            [
                junior.email,
                monday.strftime("%d/%m/%Y"),
                (monday + datetime.timedelta(4)).strftime("%d/%m/%Y"),
            ],
        ]
    )
    first = preview(client, url, content, "rota.csv")
    assert first.status_code == 400
    assert "Column A: “Trainee”" in first.content.decode()

    mapped = client.post(
        url,
        {
            "action": "map",
            "column-trainee": "email",
            "column-block_begins": "start_date",
            "column-block_ends": "end_date",
            "slash_dates": "day-first",
        },
    )

    assert mapped.status_code == 200, mapped.context["result"].errors
    assert (
        client.post(url, {"action": "apply", "digest": mapped.context["digest"]}).status_code == 302
    )
    block = ServiceBlock.objects.get(person=junior)
    assert (block.starts_on, block.ends_on) == (monday, monday + datetime.timedelta(4))
    assert ImportColumnMapping.objects.get(kind="schedule").slash_dates == "day-first"
