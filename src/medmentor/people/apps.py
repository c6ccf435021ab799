from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "medmentor.people"
    label = "people"

    def ready(self) -> None:
        from medmentor.people import checks  # noqa: F401 - registers the deploy checks
