"""`medmentor create-api-token EMAIL NAME`: a token for a script to use the REST API."""

from django.core.management.base import BaseCommand, CommandError

from medmentor.people import selectors, services


class Command(BaseCommand):
    help = (
        "Create an API token for the person with EMAIL, labelled NAME (e.g. 'weekly export'). "
        "The token is printed once, alone on standard output, and never stored: keep it."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="Email address of the person the token acts for.")
        parser.add_argument("name", help="What the token is for, to recognise it later.")

    def handle(self, *args, email: str, name: str, **options):
        name = name.strip()
        if not name:
            raise CommandError("Give the token a NAME that says what it is for.")
        if len(name) > 100:
            raise CommandError(f"The NAME is {len(name)} characters long; keep it to 100.")
        person = selectors.person_by_email(email=email)
        if person is None:
            raise CommandError(f"No person has the email address “{email}”.")
        if not person.is_active:
            raise CommandError(f"The account of “{email}” is switched off.")
        raw_token = services.api_token_create(person=person, name=name)
        # The token alone on stdout, so `TOKEN=$(medmentor create-api-token ...)` works;
        # the advice goes to stderr.
        self.stdout.write(raw_token)
        self.stderr.write(
            f"API token “{name}” created for {person.email}. It is shown only this once. "
            "Send it as the header `Authorization: Bearer <token>`."
        )
