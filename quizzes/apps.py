from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    """Quiz authoring, attempts and grading (contract section 6)."""

    name = "quizzes"
