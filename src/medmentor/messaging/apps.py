from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "medmentor.messaging"
    label = "messaging"
