"""The director's raw access to curriculum content, for staff (is_staff) only.

Registered: the curriculum, its weeks (with readings and cases inline) and its cases
(with images and questions inline).

Deliberately NOT registered: `CaseLearningStyle`, `AnswerReveal` and `CaseReview`.
They record which answers a junior revealed, whether they went in blind, and whether a
pair reviewed or skipped a case — private to the junior or the pair (docs/privacy.md,
rule 1). The admin shows rows one by one, so registering them would be a back door
around the program-level aggregates that directors and faculty may see. Tests check
that the admin has no page for them.
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count

from medmentor.curriculum.content_services import curriculum_week_content_changed
from medmentor.curriculum.models import (
    Case,
    CaseImage,
    Curriculum,
    CurriculumWeek,
    Question,
    Reading,
)
from medmentor.curriculum.package import image_refusal


class CaseImageForm(forms.ModelForm):
    class Meta:
        model = CaseImage
        fields = ("order", "image", "caption", "alt_text")

    def clean_image(self):
        image = self.cleaned_data["image"]
        # Only a new upload needs checking; a stored file passed the check before.
        if image and hasattr(image, "content_type"):
            image.seek(0)
            refusal = image_refusal(image.read())
            image.seek(0)
            if refusal:
                raise forms.ValidationError(f"“{image.name}” {refusal}.")
        return image


class CaseImageInline(admin.TabularInline):
    model = CaseImage
    form = CaseImageForm
    extra = 0


class QuestionInline(admin.StackedInline):
    model = Question
    fields = ("order", "text", "answer")
    extra = 0


class ReadingInline(admin.TabularInline):
    model = Reading
    fields = ("order", "citation", "url")
    extra = 0
    # A link typed without a scheme is taken as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class CaseInline(admin.TabularInline):
    model = Case
    fields = ("day", "title")
    extra = 0
    show_change_link = True  # history, images and questions are edited on the case's page


class ContentVersionAdmin(admin.ModelAdmin):
    """An admin whose saves and deletes change weeks' content: each gives the weeks
    touched a new content version, so the pages drop the copies they keep.
    `week_id_attribute` names the attribute that holds the row's curriculum week."""

    week_id_attribute = "week_id"

    def weeks_of(self, obj) -> list[int]:
        return [getattr(obj, self.week_id_attribute)]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A case moved to another week changes the week it left too.
        before = form.initial.get("week") if change else None
        curriculum_week_content_changed(week_ids=[*self.weeks_of(form.instance), before])

    def delete_model(self, request, obj):
        weeks = self.weeks_of(obj)
        super().delete_model(request, obj)
        curriculum_week_content_changed(week_ids=weeks)

    def delete_queryset(self, request, queryset):
        weeks = [week for obj in queryset for week in self.weeks_of(obj)]
        super().delete_queryset(request, queryset)
        curriculum_week_content_changed(week_ids=weeks)


class CurriculumWeekInline(admin.TabularInline):
    model = CurriculumWeek
    fields = ("number", "topic")
    extra = 0
    show_change_link = True


@admin.register(Curriculum)
class CurriculumAdmin(admin.ModelAdmin):
    list_display = ("title", "program", "source", "license", "week_count")
    search_fields = ("title", "program__name", "source")
    list_select_related = ("program",)
    inlines = [CurriculumWeekInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(number_of_weeks=Count("weeks"))

    @admin.display(description="weeks", ordering="number_of_weeks")
    def week_count(self, curriculum):
        return curriculum.number_of_weeks


@admin.register(CurriculumWeek)
class CurriculumWeekAdmin(ContentVersionAdmin):
    list_display = ("__str__", "curriculum", "number", "topic")
    list_filter = ("curriculum",)
    search_fields = ("topic", "summary", "curriculum__title")
    list_select_related = ("curriculum",)
    inlines = [ReadingInline, CaseInline]

    week_id_attribute = "pk"  # the row is the week itself


@admin.register(Case)
class CaseAdmin(ContentVersionAdmin):
    list_display = ("title", "week", "day")
    list_filter = ("week__curriculum", "day")
    search_fields = ("title", "history", "teaching_points", "questions__text")
    list_select_related = ("week",)
    inlines = [CaseImageInline, QuestionInline]
