from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "medmentor.api"
    label = "api"
