from django.apps import AppConfig


class CurriculumConfig(AppConfig):
    name = "medmentor.curriculum"
    label = "curriculum"
