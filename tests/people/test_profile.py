"""A person's own profile page (people): name, contact preference, languages, bio and
photo; each person sees and edits their own only; the one-to-one kind shows the same
profile to the pair."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from medmentor.people.models import Profile
from medmentor.people.services import ProfileError, profile_languages_parse, profile_update
from tests.conftest import sign_in
from tests.mentoring.pairs import image_bytes

pytestmark = pytest.mark.usefixtures("fast_passwords")

PROFILE = reverse("profile")


def _save(client, **fields):
    data = {
        "full_name": "Jo Junior",
        "contact_preference": "Email",
        "languages": "",
        "bio": "",
        **fields,
    }
    return client.post(PROFILE, data)


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    assert "/sign-in/" in client.get(PROFILE)["Location"]


@pytest.mark.parametrize("who", ["director", "faculty", "researcher", "junior", "outsider"])
def test_everyone_signed_in_has_their_own_profile_page(client, request, who):
    person = request.getfixturevalue(who)
    sign_in(client, person)
    response = client.get(PROFILE)
    assert response.status_code == 200
    assert response.context["form"].initial["full_name"] == person.full_name


def test_saving_the_profile_keeps_name_languages_bio_and_contact(client, junior):
    sign_in(client, junior)
    response = _save(
        client,
        full_name="  Jo   Junior-Smith ",
        languages="English, Spanish; english, Tagalog",
        bio="From Duluth.",
        contact_preference="Text me after 17:00",
    )
    assert response.status_code == 302
    junior.refresh_from_db()
    assert junior.full_name == "Jo Junior-Smith"
    assert (junior.profile.languages, junior.profile.bio, junior.profile.contact_preference) == (
        ["English", "Spanish", "Tagalog"],
        "From Duluth.",
        "Text me after 17:00",
    )
    page = client.get(PROFILE).content.decode()
    assert "English, Spanish, Tagalog" in page


def test_a_photo_is_re_encoded_and_served_to_its_owner_only(client, junior, senior):
    sign_in(client, junior)
    photo = SimpleUploadedFile("me.png", image_bytes(kind="PNG"), "image/png")
    assert _save(client, photo=photo).status_code == 302

    stored = Profile.objects.get(person=junior).photo
    assert stored.name.startswith("people/photos/")
    with Image.open(stored.open("rb")) as image:
        assert image.format == "JPEG"
    assert client.get(reverse("profile-photo"))["Content-Type"] == "image/jpeg"
    # The address names nobody: another person asking gets their own (none here).
    sign_in(client, senior)
    assert client.get(reverse("profile-photo")).status_code == 404


def test_a_file_that_is_not_an_image_is_refused_by_name_and_nothing_changes(client, junior):
    sign_in(client, junior)
    _save(client, bio="Before")
    response = _save(
        client, bio="After", photo=SimpleUploadedFile("me.jpg", b"not an image", "image/jpeg")
    )
    assert response.status_code == 400
    assert "Photo: The photo could not be read as an image" in response.content.decode()
    assert Profile.objects.get(person=junior).bio == "Before"


def test_a_blank_name_is_refused_by_name(client, junior):
    sign_in(client, junior)
    response = _save(client, full_name="   ")
    assert response.status_code == 400
    assert "Your name: Your name cannot be blank." in response.content.decode()


def test_nobody_edits_another_persons_profile(junior, director):
    with pytest.raises(ProfileError, match="Only the person themselves"):
        profile_update(person=junior, by=director, bio="Hacked", contact_preference="")
    assert not Profile.objects.filter(person=junior).exists()


def test_languages_are_read_from_commas_semicolons_and_lines():
    assert profile_languages_parse("English,\nSpanish ; spanish| Haitian  Creole") == [
        "English",
        "Spanish",
        "Haitian Creole",
    ]


def test_the_header_links_to_your_profile(client, junior):
    sign_in(client, junior)
    assert f'href="{PROFILE}"' in client.get(reverse("home")).content.decode()


def test_the_one_to_one_pair_page_shows_the_profile_the_person_wrote_here(
    client, institution, director
):
    from medmentor.mentoring.models import MatchingProfile
    from tests.mentoring.pairs import published_cohort

    cohort = published_cohort(institution, director=director)
    # Mara's matching profile lists no languages: the pair sees those of her profile.
    MatchingProfile.objects.filter(enrollment__person=cohort.mara).update(languages=[])
    sign_in(client, cohort.mara)
    _save(
        client,
        full_name="Mara Mentor",
        languages="Portuguese, Cape Verdean Creole",
        bio="I grew up in New Bedford.",
        contact_preference="Text me after 17:00",
    )

    sign_in(client, cohort.ana)
    page = client.get(reverse("mentoring-pairs", args=[cohort.program.slug])).content.decode()
    assert "Portuguese, Cape Verdean Creole" in page
    assert "I grew up in New Bedford." in page and "Text me after 17:00" in page
