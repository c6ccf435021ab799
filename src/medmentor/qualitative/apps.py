from django.apps import AppConfig


class QualitativeConfig(AppConfig):
    name = "medmentor.qualitative"
    label = "qualitative"
    verbose_name = "Qualitative analysis"
