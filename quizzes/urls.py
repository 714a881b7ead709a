from lms_project.routing import route

from . import views

QUIZ = "courses/<uuid:course_id>/quizzes/<uuid:quiz_id>"
ATTEMPTS = "quizzes/<uuid:quiz_id>/attempts"

urlpatterns = [
    *route("courses/<uuid:course_id>/quizzes", views.QuizListView.as_view(), "quiz-list"),
    *route(QUIZ, views.QuizDetailView.as_view(), "quiz-detail"),
    *route(f"{QUIZ}/publish", views.QuizPublishView.as_view(), "quiz-publish"),
    *route(f"{QUIZ}/questions", views.QuestionListView.as_view(), "question-list"),
    *route(f"{QUIZ}/questions/<uuid:question_id>", views.QuestionDetailView.as_view(), "question-detail"),
    *route(f"{QUIZ}/attempts", views.QuizAttemptsView.as_view(), "quiz-attempts"),
    *route(f"{QUIZ}/stats", views.QuizStatsView.as_view(), "quiz-stats"),
    *route(ATTEMPTS, views.AttemptStartView.as_view(), "attempt-start"),
    *route(f"{ATTEMPTS}/start", views.AttemptPaperView.as_view(), "attempt-paper"),
    *route(f"{ATTEMPTS}/my-attempts", views.MyAttemptsView.as_view(), "attempt-mine"),
    *route(f"{ATTEMPTS}/<uuid:attempt_id>", views.AttemptDetailView.as_view(), "attempt-detail"),
    *route(f"{ATTEMPTS}/<uuid:attempt_id>/submit", views.AttemptSubmitView.as_view(), "attempt-submit"),
    *route(f"{ATTEMPTS}/<uuid:attempt_id>/grade", views.AttemptGradeView.as_view(), "attempt-grade"),
]
