from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "medmentor.programs"
    label = "programs"
