"""InputSerializer.validate_query's fast path gives what a full validation gives (issue 7)."""

from __future__ import annotations

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from accounts.serializers import UserListQuery
from analytics.serializers import CourseAnalyticsQuery
from courses.serializers import CourseListQuery
from enrollments.serializers import EnrollmentListQuery
from files.serializers import FileListQuery
from lms_project.serializers import InputSerializer
from quizzes.serializers import AttemptListQuery

QUERY_SERIALIZERS = [
    UserListQuery,
    CourseAnalyticsQuery,
    CourseListQuery,
    EnrollmentListQuery,
    FileListQuery,
    AttemptListQuery,
]


def _request(query: str) -> Request:
    return Request(APIRequestFactory().get(f"/x?{query}"))


@pytest.mark.parametrize("serializer", QUERY_SERIALIZERS, ids=lambda s: s.__name__)
@pytest.mark.parametrize("query", ["", "page=2&page_size=20", "unknown=1"])
def test_a_query_without_filters_gives_what_a_full_validation_gives(serializer, query):
    full = serializer(data=_request(query).query_params)
    assert full.is_valid(), full.errors
    assert serializer.validate_query(_request(query)) == dict(full.validated_data)


@pytest.mark.parametrize("serializer", QUERY_SERIALIZERS, ids=lambda s: s.__name__)
def test_every_list_query_takes_the_fast_path(serializer):
    assert serializer._query_defaults() is not None


def test_the_fast_path_runs_no_validation(monkeypatch):
    CourseListQuery._query_defaults()  # computed once per class, before the patch

    def fail(*args, **kwargs):
        raise AssertionError("validated")

    monkeypatch.setattr(CourseListQuery, "is_valid", fail)
    assert CourseListQuery.validate_query(_request("page_size=20")) == {"mine": False}
    with pytest.raises(AssertionError):
        CourseListQuery.validate_query(_request("category=x"))


def test_a_query_with_a_filter_is_validated_in_full():
    from rest_framework.exceptions import ValidationError

    with pytest.raises(ValidationError):
        CourseListQuery.validate_query(_request("difficulty_level=impossible"))
    assert CourseListQuery.validate_query(_request("mine=true")) == {"mine": True}


def test_a_serializer_with_its_own_rules_never_takes_the_fast_path():
    from rest_framework import serializers

    class Strict(InputSerializer):
        a = serializers.IntegerField(required=False)

        def validate(self, attrs):
            raise serializers.ValidationError("always")

    class FieldRule(InputSerializer):
        a = serializers.IntegerField(required=False, default=1)

        def validate_a(self, value):
            return value + 1

    assert Strict._query_defaults() is None
    assert FieldRule._query_defaults() is None
    assert FieldRule.validate_query(_request("")) == {"a": 2}
