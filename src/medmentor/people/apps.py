from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "medmentor.people"
    label = "people"
