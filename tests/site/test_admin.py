"""The Person admin as site registers it: a person added there is emailed a sign-in link."""

from django.urls import reverse

from medmentor.messaging.models import OutboxMessage
from medmentor.people.models import Person


def test_staff_add_a_person_by_email_and_they_are_emailed_a_sign_in_link(client, operations):
    client.force_login(operations)
    response = client.post(
        reverse("admin:people_person_add"),
        {
            "email": "New.Person@Lakeside.test",
            "full_name": "Nova Person",
            "training_level": "R2",
            "usable_password": "false",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.objects.get(email="new.person@lakeside.test")
    assert not person.has_usable_password()
    # They sign in with the emailed link; nobody chose a password for them.
    link_email = OutboxMessage.objects.get(to_email="new.person@lakeside.test")
    assert link_email.subject == "Your medmentor sign-in link"

    again = client.post(
        reverse("admin:people_person_add"),
        {"email": "NEW.person@lakeside.test", "full_name": "Dup", "usable_password": "false"},
    )
    assert again.status_code == 200
    assert "already exists" in again.content.decode()
