from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "medmentor.site"
    label = "site"
    verbose_name = "medmentor site"
