"""The director's matching profiles import page and its template — and who may open them."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from medmentor.mentoring.models import MatchingProfile
from medmentor.mentoring.services import MATCHING_PROFILE_COLUMNS, matching_profiles_import
from medmentor.programs.models import Role
from tests.conftest import sign_in
from tests.mentoring.matching_cohort import SLUG, one_to_one_program
from tests.programs.files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.usefixtures("fast_passwords")

# Cy has no profile (create), Nate's capacity goes from 1 to 2 (update), Ben's site and
# capacity are what is stored (unchanged).
GOOD_PROFILES = csv_bytes(
    [
        ["email", "capacity", "site", "interests"],
        ["cy@near-peer.test", "", "North", "research; rural health"],
        ["nate@near-peer.test", "2", "South", "surgery"],
        ["ben@near-peer.test", "", "South", "surgery"],
    ]
)
BAD_PROFILES = xlsx_bytes(
    [
        ["email", "capacity", "urim"],
        ["ana@near-peer.test", "2", "yes"],
        ["mara@near-peer.test", "lots", "yes"],
        ["ben@near-peer.test", "", "maybe"],
        ["nobody@near-peer.test", "", ""],
    ]
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def cohort(institution, director, coordinator, faculty, researcher):
    return one_to_one_program(
        institution,
        staff=[
            (director, Role.DIRECTOR),
            (coordinator, Role.COORDINATOR),
            (faculty, Role.FACULTY),
            (researcher, Role.RESEARCHER),
        ],
    )


def url(name):
    return reverse(name, kwargs={"slug": SLUG})


def preview(client, content, name="profiles.csv"):
    content_type = XLSX if name.endswith(".xlsx") else "text/csv"
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(url("matching-profiles-import"), {"action": "preview", "file": upload})


def profiles():
    """Every stored profile as comparable values, to show what an import did or did not do."""
    return {
        profile.enrollment.person.email: (profile.capacity, profile.site, profile.urim)
        for profile in MatchingProfile.objects.select_related("enrollment__person")
    }


def test_bad_file_lists_each_problem_by_row_and_column_and_writes_nothing(client, cohort, director):
    sign_in(client, director)
    before = profiles()

    response = preview(client, BAD_PROFILES, "profiles.xlsx")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing will be imported: the file has 4 problems" in page
    assert "Row 2, column capacity: capacity is for mentors; this person is a mentee" in page
    assert "Row 3, column capacity: capacity must be a whole number from 0 to 100" in page
    assert "Row 4, column urim: write yes, no, or leave blank (not shared)" in page
    assert "Row 5, column email: nobody@near-peer.test is not a mentor (senior) or mentee" in page
    assert 'data-column="urim"' in page
    assert "Confirm and import" not in page
    assert profiles() == before


def test_good_file_previews_every_row_writes_nothing_then_applies_on_confirm(
    client, cohort, coordinator
):
    sign_in(client, coordinator)
    before = profiles()

    response = preview(client, GOOD_PROFILES)

    assert response.status_code == 200
    page = response.content.decode()
    assert "1 to create" in page and "1 to update" in page and "1 unchanged" in page
    assert "capacity: 1 → 2" in page
    assert profiles() == before
    assert not MatchingProfile.objects.filter(enrollment__person=cohort.cy).exists()

    done = client.post(
        url("matching-profiles-import"), {"action": "apply", "digest": response.context["digest"]}
    )

    assert done.status_code == 302
    assert done["Location"] == url("matching")
    cy = MatchingProfile.objects.get(enrollment__person=cohort.cy)
    assert (cy.site, cy.interests) == ("North", ["research", "rural health"])
    assert MatchingProfile.objects.get(enrollment__person=cohort.nate).capacity == 2
    message = client.get(url("matching")).content.decode()
    assert "Imported “profiles.csv”: 1 created, 1 updated, 1 unchanged." in message


def test_the_template_holds_the_importers_columns_and_an_example_it_accepts(
    client, cohort, director
):
    sign_in(client, director)

    response = client.get(url("matching-profiles-template"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{SLUG}-profiles.csv"'
    header, example = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(header) == MATCHING_PROFILE_COLUMNS
    assert all(example[header.index(name)] for name in ("email", "concordance", "preferences"))
    # With the example's people swapped for this program's, the importer takes the row.
    people = {
        "ana.mentee@example.edu": "cy@near-peer.test",
        "mara.mentor@example.edu": "mara@near-peer.test",
        "nate.mentor@example.edu": "nate@near-peer.test",
        "olu.mentor@example.edu": "olu@near-peer.test",
    }
    text = response.content.decode("utf-8-sig")
    for example_email, email in people.items():
        text = text.replace(example_email, email)
    result = matching_profiles_import(
        program=cohort.program, file_name="template.csv", content=text.encode(), apply=False
    )
    assert result.errors == []
    assert [row.action for row in result.rows] == ["create"]


def test_the_matching_page_links_the_import_page_which_links_the_template(client, cohort, director):
    sign_in(client, director)

    matching = client.get(url("matching")).content.decode()
    page = client.get(url("matching-profiles-import")).content.decode()

    assert f'href="{url("matching-profiles-import")}"' in matching
    assert f'href="{url("matching-profiles-template")}"' in page
    for name in MATCHING_PROFILE_COLUMNS:
        assert f"<code>{name}</code>" in page


@pytest.mark.parametrize("role", ["faculty", "researcher", "mentor", "mentee", "outsider"])
def test_everyone_but_directors_and_coordinators_is_refused(client, cohort, request, role):
    person = {"mentor": cohort.mara, "mentee": cohort.ana}.get(role) or request.getfixturevalue(
        role
    )
    sign_in(client, person)
    before = profiles()

    assert client.get(url("matching-profiles-import")).status_code == 403
    assert client.get(url("matching-profiles-template")).status_code == 403
    assert preview(client, GOOD_PROFILES).status_code == 403
    assert client.post(url("matching-profiles-import"), {"action": "apply"}).status_code == 403
    assert profiles() == before


def test_anonymous_visitors_are_sent_to_sign_in(client, cohort):
    for name in ("matching-profiles-import", "matching-profiles-template"):
        response = client.get(url(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("sign-in") + "?next=")


def test_a_program_that_is_not_one_to_one_has_no_profiles_page(client, program, director):
    sign_in(client, director)
    for name in ("matching-profiles-import", "matching-profiles-template"):
        assert client.get(reverse(name, kwargs={"slug": program.slug})).status_code == 404
