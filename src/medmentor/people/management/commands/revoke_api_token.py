"""`medmentor revoke-api-token EMAIL NAME`: switch off a script's API token for good."""

from django.core.management.base import BaseCommand, CommandError

from medmentor.people import selectors, services
from medmentor.people.models import ApiToken


class Command(BaseCommand):
    help = (
        "Revoke the API tokens named NAME of the person with EMAIL. A revoked token is "
        "refused from then on (401); the row stays, so its last use can still be read."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="Email address of the person the token acts for.")
        parser.add_argument("name", help="The name the token was created with.")

    def handle(self, *args, email: str, name: str, **options):
        person = selectors.person_by_email(email=email)
        if person is None:
            raise CommandError(f"No person has the email address “{email}”.")
        tokens = ApiToken.objects.filter(person=person, name=name.strip(), revoked_at__isnull=True)
        if not tokens:
            raise CommandError(f"{person.email} has no active API token named “{name}”.")
        for token in tokens:
            services.api_token_revoke(token=token)
        self.stdout.write(f"Revoked {len(tokens)} API token(s) named “{name}” of {person.email}.")
