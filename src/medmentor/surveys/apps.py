from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "medmentor.surveys"
    label = "surveys"
