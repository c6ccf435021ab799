from django.contrib.admin.apps import AdminConfig


class MedmentorAdminConfig(AdminConfig):
    """Django's admin, on medmentor's site (admin_site.py: no back door around privacy)."""

    default_site = "medmentor.admin_site.MedmentorAdminSite"
