"""Quiz endpoints: authoring under /courses/{id}/quizzes, taking under /quizzes/{id}/attempts."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.selectors import course_get, course_get_managed, is_manager
from lms_project.exceptions import Forbidden
from lms_project.openapi import FORBIDDEN, NOT_FOUND, UNAUTHORIZED, VALIDATION_ERROR, error, short_list
from lms_project.pagination import PageNumberPagination, paginate, paginated_response
from lms_project.views import PublicReadView

from . import selectors, services
from .models import Attempt, Quiz
from .serializers import (
    AnswerOut,
    AttemptListQuery,
    AttemptOut,
    AttemptResultOut,
    AttemptSummaryOut,
    GradeIn,
    PaperOut,
    QuestionIn,
    QuestionManagerOut,
    QuestionPublicOut,
    QuestionUpdateIn,
    QuizCreateIn,
    QuizOut,
    QuizStatsOut,
    QuizUpdateIn,
    SubmitIn,
)

QUIZ_EXAMPLE = {
    "id": "0e7c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
    "course_id": "3f1c2b9a-5d7e-4c11-9a0b-7e2d1c4b5a60",
    "lesson_id": "5a8d1e2f-0b3c-4d5e-8f9a-1b2c3d4e5f60",
    "title": "Variables check",
    "description": "Five quick questions.",
    "quiz_type": "graded",
    "time_limit_minutes": 10,
    "passing_score": "70.00",
    "max_attempts": 3,
    "shuffle_questions": True,
    "shuffle_options": True,
    "show_correct_answers": True,
    "is_published": True,
    "total_questions": 5,
    "total_points": "5.00",
    "created_at": "2026-11-19T09:10:00Z",
    "updated_at": "2026-11-19T09:30:00Z",
}
QUESTION_EXAMPLE = {
    "id": "6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e",
    "question_text": "Which name is a valid Python variable?",
    "question_type": "multiple_choice",
    "points": "1.00",
    "order_index": 1,
    "options": [{"option_id": "a", "option_text": "2fast"}, {"option_id": "b", "option_text": "fast_2"}],
}
MANAGER_QUESTION_EXAMPLE = {
    **QUESTION_EXAMPLE,
    "options": [
        {"option_id": "a", "option_text": "2fast", "is_correct": False},
        {"option_id": "b", "option_text": "fast_2", "is_correct": True},
    ],
    "explanation": "A name cannot start with a digit.",
    "correct_answer": None,
    "accepted_answers": None,
}
ATTEMPT_EXAMPLE = {
    "id": "8c9d0e1f-2a3b-4c4d-8e5f-6a7b8c9d0e1f",
    "quiz_id": QUIZ_EXAMPLE["id"],
    "attempt_number": 1,
    "status": "in_progress",
    "started_at": "2026-11-25T10:00:00Z",
    "deadline_at": "2026-11-25T10:10:00Z",
    "max_score": "5.00",
}
RESULT_EXAMPLE = {
    **{k: v for k, v in ATTEMPT_EXAMPLE.items() if k != "status"},
    "enrollment_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "status": "graded",
    "submitted_at": "2026-11-25T10:06:40Z",
    "graded_at": "2026-11-25T10:06:40Z",
    "score": "4.00",
    "percentage": "80.00",
    "is_passed": True,
    "time_taken_seconds": 400,
    "answers": [
        {
            "question_id": QUESTION_EXAMPLE["id"],
            "selected_option_id": "b",
            "selected_option_ids": None,
            "answer_text": None,
            "is_correct": True,
            "points_earned": "1.00",
            "feedback": None,
        }
    ],
}
PAPER_EXAMPLE = {
    "quiz": {
        "id": QUIZ_EXAMPLE["id"],
        "title": QUIZ_EXAMPLE["title"],
        "time_limit_minutes": QUIZ_EXAMPLE["time_limit_minutes"],
        "total_questions": QUIZ_EXAMPLE["total_questions"],
        "total_points": QUIZ_EXAMPLE["total_points"],
    },
    "attempt": ATTEMPT_EXAMPLE,
    "questions": [{k: v for k, v in QUESTION_EXAMPLE.items() if k != "order_index"}],
}
# Two shapes behind one route: the schema documents both, so generated clients for students never
# expect answer data.
QUESTION_LIST_RESPONSE = OpenApiResponse(
    PolymorphicProxySerializer(
        component_name="QuestionListResponse",
        serializers=[
            short_list("QuestionListManager", QuestionManagerOut),
            short_list("QuestionListPublic", QuestionPublicOut),
        ],
        resource_type_field_name=None,
    ),
    description="The course's managers get the answer key (`QuestionListManager`); anyone else gets "
    "`QuestionListPublic`, which has no answer data at all.",
    examples=[
        OpenApiExample("Manager", value={"items": [MANAGER_QUESTION_EXAMPLE], "total": 1}),
        OpenApiExample("Student or anonymous", value={"items": [QUESTION_EXAMPLE], "total": 1}),
    ],
)
PAPER_RESPONSE = OpenApiResponse(PaperOut, examples=[OpenApiExample("Paper", value=PAPER_EXAMPLE)])
QUIZ_RESPONSE = OpenApiResponse(QuizOut, examples=[OpenApiExample("Quiz", value=QUIZ_EXAMPLE)])
RESULT_RESPONSE = OpenApiResponse(
    AttemptResultOut, examples=[OpenApiExample("Graded attempt", value=RESULT_EXAMPLE)]
)
ATTEMPT_RESPONSE = OpenApiResponse(AttemptOut, examples=[OpenApiExample("Attempt", value=ATTEMPT_EXAMPLE)])


def attempt_result(attempt: Attempt, *, user: Any) -> dict[str, Any]:
    """The attempt with its answers; correctness hidden from students when the quiz says so."""
    data = dict(AttemptSummaryOut(attempt).data)
    answers = AnswerOut(selectors.attempt_answers(attempt=attempt), many=True).data
    if not attempt.quiz.show_correct_answers and not is_manager(user, attempt.quiz.course):
        # Points per question would reveal correctness just as well.
        answers = [{**answer, "is_correct": None, "points_earned": None} for answer in answers]
    data["answers"] = answers
    return data


def _paper(quiz: Quiz, attempt: Attempt | None) -> dict[str, Any]:
    questions = {str(q.pk): q for q in selectors.question_list(quiz=quiz)}
    order = [qid for qid in attempt.question_order if qid in questions] if attempt else list(questions)
    order += [qid for qid in questions if qid not in order]  # added after the attempt started
    items = []
    for qid in order:
        question = questions[qid]
        options = None
        if question.options:
            by_id = {str(o["option_id"]): o for o in question.options}
            option_ids = (attempt.option_order.get(qid) if attempt else None) or list(by_id)
            option_ids = [oid for oid in option_ids if oid in by_id] + [
                oid for oid in by_id if oid not in option_ids
            ]
            options = [{"option_id": oid, "option_text": by_id[oid]["option_text"]} for oid in option_ids]
        items.append(
            {
                "id": question.pk,
                "question_text": question.question_text,
                "question_type": question.question_type,
                "points": question.points,
                "options": options,
            }
        )
    return PaperOut(
        {
            "quiz": quiz,
            "attempt": attempt,
            "questions": items,
        }
    ).data


# --- authoring -------------------------------------------------------------------------------------


class QuizListView(PublicReadView):
    @extend_schema(
        tags=["quizzes"],
        summary="Quizzes of a course (managers see drafts too)",
        responses={200: short_list("QuizList", QuizOut), 404: NOT_FOUND},
    )
    def get(self, request: Request, course_id) -> Response:
        course = course_get(course_id=course_id, user=request.user)
        quizzes = list(selectors.quiz_list(course=course, user=request.user))
        return Response({"items": QuizOut(quizzes, many=True).data, "total": len(quizzes)})

    @extend_schema(
        tags=["quizzes"],
        summary="Create an unpublished quiz on a lesson of the course (managers)",
        request=QuizCreateIn,
        responses={
            201: QUIZ_RESPONSE,
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: error("The lesson already has a quiz.", "lesson_has_quiz"),
        },
        examples=[
            OpenApiExample(
                "Graded quiz",
                request_only=True,
                value={
                    "title": "Variables check",
                    "lesson_id": QUIZ_EXAMPLE["lesson_id"],
                    "time_limit_minutes": 10,
                },
            )
        ],
    )
    def post(self, request: Request, course_id) -> Response:
        course = course_get_managed(course_id=course_id, user=request.user)
        data = QuizCreateIn.validate_request(request)
        return Response(QuizOut(services.quiz_create(course=course, data=data)).data, status=201)


class QuizDetailView(PublicReadView):
    @extend_schema(tags=["quizzes"], summary="One quiz", responses={200: QUIZ_RESPONSE, 404: NOT_FOUND})
    def get(self, request: Request, course_id, quiz_id) -> Response:
        return Response(
            QuizOut(selectors.quiz_get(course_id=course_id, quiz_id=quiz_id, user=request.user)).data
        )

    @extend_schema(
        tags=["quizzes"],
        summary="Edit a quiz (managers)",
        request=QuizUpdateIn,
        responses={
            200: QUIZ_RESPONSE,
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def patch(self, request: Request, course_id, quiz_id) -> Response:
        quiz = selectors.quiz_get_managed(course_id=course_id, quiz_id=quiz_id, user=request.user)
        data = QuizUpdateIn.validate_request(request)
        return Response(QuizOut(services.quiz_update(quiz=quiz, data=data)).data)

    @extend_schema(
        tags=["quizzes"],
        summary="Delete a quiz nobody attempted (managers)",
        responses={
            204: None,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: error("The quiz has attempts.", "quiz_has_attempts"),
        },
    )
    def delete(self, request: Request, course_id, quiz_id) -> Response:
        services.quiz_delete(
            quiz=selectors.quiz_get_managed(course_id=course_id, quiz_id=quiz_id, user=request.user)
        )
        return Response(status=204)


class QuizPublishView(APIView):
    @extend_schema(
        tags=["quizzes"],
        summary="Publish a quiz (managers; it needs a question)",
        request=None,
        responses={
            200: QUIZ_RESPONSE,
            400: error("A quiz needs a question before publishing.", "quiz_has_no_questions"),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, course_id, quiz_id) -> Response:
        quiz = selectors.quiz_get_managed(course_id=course_id, quiz_id=quiz_id, user=request.user)
        return Response(QuizOut(services.quiz_publish(quiz=quiz)).data)


class QuestionListView(PublicReadView):
    @extend_schema(
        tags=["quizzes"],
        summary="Questions of a quiz: with the answer key for managers, without any answer data for others",
        responses={200: QUESTION_LIST_RESPONSE, 404: NOT_FOUND},
    )
    def get(self, request: Request, course_id, quiz_id) -> Response:
        quiz = selectors.quiz_get(course_id=course_id, quiz_id=quiz_id, user=request.user)
        questions = list(selectors.question_list(quiz=quiz))
        shape = QuestionManagerOut if is_manager(request.user, quiz.course) else QuestionPublicOut
        return Response({"items": shape(questions, many=True).data, "total": len(questions)})

    @extend_schema(
        tags=["quizzes"],
        summary="Add a question (managers); validated per question type",
        request=QuestionIn,
        responses={
            201: QuestionManagerOut,
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        examples=[
            OpenApiExample(
                "Multiple choice",
                request_only=True,
                value={
                    "question_text": "Which name is a valid Python variable?",
                    "question_type": "multiple_choice",
                    "points": "1.00",
                    "options": [
                        {"option_id": "a", "option_text": "2fast", "is_correct": False},
                        {"option_id": "b", "option_text": "fast_2", "is_correct": True},
                    ],
                },
            ),
            OpenApiExample(
                "Short answer",
                request_only=True,
                value={
                    "question_text": "Which keyword defines a function?",
                    "question_type": "short_answer",
                    "correct_answer": "def",
                    "accepted_answers": ["def keyword"],
                },
            ),
        ],
    )
    def post(self, request: Request, course_id, quiz_id) -> Response:
        quiz = selectors.quiz_get_managed(course_id=course_id, quiz_id=quiz_id, user=request.user)
        data = QuestionIn.validate_request(request)
        return Response(QuestionManagerOut(services.question_create(quiz=quiz, data=data)).data, status=201)


class QuestionDetailView(APIView):
    @extend_schema(
        tags=["quizzes"],
        summary="Edit a question (managers)",
        request=QuestionUpdateIn,
        responses={
            200: QuestionManagerOut,
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def patch(self, request: Request, course_id, quiz_id, question_id) -> Response:
        quiz = selectors.quiz_get_managed(course_id=course_id, quiz_id=quiz_id, user=request.user)
        question = selectors.question_get(quiz=quiz, question_id=question_id)
        data = QuestionUpdateIn.validate_request(request)
        return Response(QuestionManagerOut(services.question_update(question=question, data=data)).data)

    @extend_schema(
        tags=["quizzes"],
        summary="Delete a question nobody answered (managers)",
        responses={
            204: None,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: error("Students answered this question.", "question_has_answers"),
        },
    )
    def delete(self, request: Request, course_id, quiz_id, question_id) -> Response:
        quiz = selectors.quiz_get_managed(course_id=course_id, quiz_id=quiz_id, user=request.user)
        services.question_delete(question=selectors.question_get(quiz=quiz, question_id=question_id))
        return Response(status=204)


class QuizAttemptsView(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=["quizzes"],
        summary="Attempts of a quiz (managers)",
        parameters=[AttemptListQuery],
        responses={
            200: AttemptSummaryOut(many=True),
            400: VALIDATION_ERROR,  # a bad filter or page number
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, course_id, quiz_id) -> Response:
        quiz = selectors.quiz_get_managed(course_id=course_id, quiz_id=quiz_id, user=request.user)
        filters = AttemptListQuery.validate_query(request)
        page = paginate(selectors.attempt_list(quiz=quiz, **filters), request)
        return paginated_response(request, page, AttemptSummaryOut(page.items, many=True).data)


class QuizStatsView(APIView):
    @extend_schema(
        tags=["quizzes"],
        summary="Attempts, pass rate, mean percentage and per-question figures (managers)",
        responses={200: QuizStatsOut, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, course_id, quiz_id) -> Response:
        quiz = selectors.quiz_get_managed(course_id=course_id, quiz_id=quiz_id, user=request.user)
        return Response(QuizStatsOut(selectors.quiz_stats(quiz=quiz)).data)


# --- taking ----------------------------------------------------------------------------------------


class AttemptStartView(APIView):
    @extend_schema(
        tags=["attempts"],
        summary="Start an attempt (201) or resume the one in progress (200)",
        request=None,
        responses={
            201: ATTEMPT_RESPONSE,
            200: OpenApiResponse(AttemptOut, description="The attempt already in progress."),
            401: UNAUTHORIZED,
            403: error("Not enrolled, not a student, or no attempts left.", "max_attempts_reached"),
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, quiz_id) -> Response:
        quiz = selectors.quiz_get_by_id(quiz_id=quiz_id, user=request.user)
        attempt, created = services.attempt_start(user=request.user, quiz=quiz)
        return Response(AttemptOut(attempt).data, status=201 if created else 200)


class AttemptPaperView(APIView):
    @extend_schema(
        tags=["attempts"],
        summary="The quiz paper: questions in this attempt's order, without answer data",
        responses={200: PAPER_RESPONSE, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, quiz_id) -> Response:
        quiz = selectors.quiz_get_by_id(quiz_id=quiz_id, user=request.user)
        if is_manager(request.user, quiz.course):
            return Response(_paper(quiz, None))  # a preview of one's own quiz
        services.student_enrollment(user=request.user, quiz=quiz)
        return Response(_paper(quiz, selectors.current_attempt(quiz=quiz, user=request.user)))


class MyAttemptsView(APIView):
    @extend_schema(
        tags=["attempts"],
        summary="My attempts at a quiz, by number",
        responses={200: short_list("MyAttempts", AttemptSummaryOut), 401: UNAUTHORIZED, 404: NOT_FOUND},
    )
    def get(self, request: Request, quiz_id) -> Response:
        quiz = selectors.quiz_get_by_id(quiz_id=quiz_id, user=request.user)
        attempts = list(selectors.my_attempts(quiz=quiz, user=request.user))
        return Response({"items": AttemptSummaryOut(attempts, many=True).data, "total": len(attempts)})


class AttemptDetailView(APIView):
    @extend_schema(
        tags=["attempts"],
        summary="One attempt with its answers (its student or the course's managers)",
        responses={200: RESULT_RESPONSE, 401: UNAUTHORIZED, 404: NOT_FOUND},
    )
    def get(self, request: Request, quiz_id, attempt_id) -> Response:
        quiz = selectors.quiz_get_by_id(quiz_id=quiz_id, user=request.user)
        attempt = selectors.attempt_get(quiz=quiz, attempt_id=attempt_id, user=request.user)
        return Response(attempt_result(attempt, user=request.user))


class AttemptSubmitView(APIView):
    @extend_schema(
        tags=["attempts"],
        summary="Submit answers; graded at once unless the quiz has essay questions",
        request=SubmitIn,
        responses={
            200: RESULT_RESPONSE,
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
            404: NOT_FOUND,
            409: error(
                "Already submitted, or past the time limit (the attempt is then expired).",
                "time_limit_exceeded",
            ),
        },
        examples=[
            OpenApiExample(
                "Answers",
                request_only=True,
                value={"answers": [{"question_id": QUESTION_EXAMPLE["id"], "selected_option_id": "b"}]},
            )
        ],
    )
    def post(self, request: Request, quiz_id, attempt_id) -> Response:
        quiz = selectors.quiz_get_by_id(quiz_id=quiz_id, user=request.user)
        attempt = selectors.attempt_get(quiz=quiz, attempt_id=attempt_id, user=request.user)
        if attempt.enrollment.student_id != request.user.pk:
            raise Forbidden("Only the student who started the attempt may submit it.")
        data = SubmitIn.validate_request(request)
        attempt = services.attempt_submit(user=request.user, attempt=attempt, answers=data["answers"])
        return Response(attempt_result(attempt, user=request.user))


class AttemptGradeView(APIView):
    @extend_schema(
        tags=["attempts"],
        summary="Grade essay answers by hand (managers)",
        request=GradeIn,
        responses={
            200: RESULT_RESPONSE,
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: error("The attempt is not submitted yet.", "attempt_not_submitted"),
        },
        examples=[
            OpenApiExample(
                "Grade an essay",
                request_only=True,
                value={
                    "grades": [
                        {"question_id": QUESTION_EXAMPLE["id"], "points_earned": "4.50", "feedback": "Good."}
                    ]
                },
            )
        ],
    )
    def post(self, request: Request, quiz_id, attempt_id) -> Response:
        quiz = selectors.quiz_get_by_id(quiz_id=quiz_id, user=request.user)
        attempt = selectors.attempt_get(quiz=quiz, attempt_id=attempt_id, user=request.user)
        if not is_manager(request.user, quiz.course):
            raise Forbidden("Only the course's instructor or an admin may grade attempts.")
        data = GradeIn.validate_request(request)
        attempt = services.attempt_grade(attempt=attempt, grades=data["grades"])
        return Response(attempt_result(attempt, user=request.user))
