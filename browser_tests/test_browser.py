"""The pages people use in a browser, in Chromium, against a live server (issue 8, item 6).

Each test creates its rows in the main thread, hands the browser work to `browser.run(name,
scenario)` (the scenario runs in the browser's thread: see conftest.py) and checks the database
afterwards, again in the main thread. Screenshots of each step land in the artifacts directory
(`$LMS_ARTIFACTS_DIR`, else `<tmp>/lms-browser-artifacts`; the path is printed at the end of the run).
"""

from __future__ import annotations

import re

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD, AdminFactory, InstructorFactory
from certificates.models import CertificateStatus
from certificates.services import certificate_revoke
from certificates.tests.factories import CertificateFactory
from courses.models import Course
from courses.tests.factories import CourseFactory, LessonFactory

from .conftest import Visit

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips these tests and says why
    expect = None

pytestmark = pytest.mark.browser

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


# --- 1. an instructor publishes a draft course in the Django admin -------------------------------------


def test_an_instructor_publishes_a_draft_course_in_the_admin(browser):
    instructor = InstructorFactory(email="ivy.instructor@example.com", full_name="Ivy Instructor")
    draft = CourseFactory(instructor=instructor, title="Browser-Tested Python")
    LessonFactory(course=draft)
    empty = CourseFactory(instructor=instructor, title="Empty Draft Course")  # no lesson: refused
    someone_elses = CourseFactory(title="Another Instructor's Draft")
    LessonFactory(course=someone_elses)

    def scenario(visit: Visit) -> None:
        page = visit.page
        page.goto("/admin/")
        expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
        page.fill("#id_username", instructor.email)
        page.fill("#id_password", DEFAULT_PASSWORD)
        visit.shot("login")
        page.click("input[type=submit]")
        expect(page.locator("#user-tools")).to_contain_text("Ivy")
        expect(page.locator("#content h1")).to_have_text("Site administration")
        visit.shot("admin-index")

        # The change list holds the instructor's own courses only.
        page.goto("/admin/courses/course/")
        rows = page.locator("#result_list tbody tr")
        expect(rows).to_have_count(2)
        expect(page.locator("#result_list")).not_to_contain_text(someone_elses.title)

        # Open the draft: not published yet.
        page.get_by_role("link", name=draft.title, exact=True).click()
        expect(page).to_have_url(re.compile(rf"/admin/courses/course/{draft.pk}/change/$"))
        expect(page.locator(".field-is_published img")).to_have_attribute("alt", "False")
        visit.shot("draft-course")

        # Publish both drafts with the action: the one without lessons is refused, with the reason.
        page.goto("/admin/courses/course/")
        page.check(f"input.action-select[value='{draft.pk}']")
        page.check(f"input.action-select[value='{empty.pk}']")
        page.select_option("select[name=action]", "publish_courses")
        page.click("button[name=index]")
        expect(page.locator("ul.messagelist li.success")).to_have_text("1 course(s) published.")
        expect(page.locator("ul.messagelist li.error")).to_have_text(
            f"{empty.title}: A course needs at least one lesson before it can be published."
        )
        visit.shot("published")

        page.goto(f"/admin/courses/course/{draft.pk}/change/")
        expect(page.locator(".field-is_published img")).to_have_attribute("alt", "True")
        visit.shot("published-course")

    browser.run("admin-publish", scenario)

    draft.refresh_from_db()
    assert draft.is_published is True
    assert draft.published_at is not None
    assert Course.objects.get(pk=empty.pk).is_published is False
    assert Course.objects.get(pk=someone_elses.pk).is_published is False


# --- 2. the Swagger UI renders from this server's own assets ------------------------------------------


def test_the_swagger_ui_renders_from_local_assets_only(browser):
    def scenario(visit: Visit) -> tuple[dict, int]:
        page = visit.page
        with page.expect_response(lambda r: r.url.startswith(f"{visit.origin}/openapi.json")) as answer:
            response = page.goto("/docs")
        assert response is not None and response.status == 200
        schema = answer.value.json()
        assert answer.value.status == 200
        expect(page.locator(".swagger-ui .info .title")).to_contain_text(schema["info"]["title"])
        expect(page.locator(".opblock").first).to_be_visible()
        page.wait_for_load_state("networkidle")
        visit.shot("swagger-ui")

        operations = page.locator(".opblock").count()
        login = page.locator(".opblock-post").filter(has_text="/api/v1/auth/login")
        expect(login).to_have_count(1)
        assert visit.foreign_requests() == []
        assert any("/static/drf_spectacular_sidecar/swagger-ui-dist/" in url for url in visit.requests)
        return schema, operations

    schema, operations = browser.run("swagger", scenario)

    in_schema = sum(1 for item in schema["paths"].values() for method in item if method in HTTP_METHODS)
    assert in_schema > 0
    assert operations == in_schema  # every operation of the schema is on the page


# --- 3. the public certificate verification page --------------------------------------------------------


def test_the_verification_page_shows_valid_and_revoked_certificates(browser):
    valid = CertificateFactory(
        enrollment__student__full_name="Valentina Valid",
        enrollment__course__title="Python from Zero",
    )
    revoked = CertificateFactory(
        enrollment__student__full_name="Rupert Revoked",
        enrollment__course__title="SQL Basics",
    )
    reason = "Issued by mistake: the final project was not submitted."
    certificate_revoke(certificate=revoked, actor=AdminFactory(), reason=reason)
    unknown = "CERT-20260101-ZZZZZZZZZZ"

    def scenario(visit: Visit) -> list[int]:
        page = visit.page
        statuses = []

        response = page.goto(f"/verify/{valid.certificate_number}")
        statuses.append(response.status)
        expect(page).to_have_title(re.compile(r"^Valid certificate"))
        expect(page.locator(".banner .state")).to_have_text("✓ VALID")
        expect(page.locator("dd.name")).to_have_text("Valentina Valid")
        expect(page.locator("dl")).to_contain_text("Python from Zero")
        expect(page.locator("dl")).to_contain_text(valid.instructor_name)
        expect(page.locator("dd.number")).to_have_text(valid.certificate_number)
        expect(page.locator(".reason")).to_have_count(0)
        visit.shot("valid")

        response = page.goto(f"/verify/{revoked.certificate_number}")
        statuses.append(response.status)
        expect(page).to_have_title(re.compile(r"^Revoked certificate"))
        expect(page.locator(".banner .state")).to_have_text("✗ REVOKED")
        expect(page.locator("dd.name")).to_have_text("Rupert Revoked")
        expect(page.locator("dl")).to_contain_text("SQL Basics")
        expect(page.locator(".reason")).to_have_text(reason)
        visit.shot("revoked")

        response = page.goto(f"/verify/{unknown}")
        statuses.append(response.status)
        expect(page.locator(".banner .state")).to_have_text("NOT FOUND")
        expect(page.locator("dd.number")).to_have_text(unknown)
        visit.shot("not-found")

        assert visit.foreign_requests() == []  # the page promises no external assets
        return statuses

    assert browser.run("verify", scenario) == [200, 200, 404]

    # Looking at a certificate changes nothing.
    valid.refresh_from_db()
    revoked.refresh_from_db()
    assert (valid.status, valid.revoked_at) == (CertificateStatus.VALID, None)
    assert (revoked.status, revoked.revocation_reason) == (CertificateStatus.REVOKED, reason)
    assert revoked.revoked_at is not None


# --- the request recorder itself ------------------------------------------------------------------------


def test_a_request_to_another_host_is_recorded_and_refused(browser):
    """The "only the live server" checks above rest on the recorder: it must see a foreign request."""

    def scenario(visit: Visit) -> list[str]:
        page = visit.page
        page.goto("/verify/CERT-20260101-ZZZZZZZZZZ")
        with page.expect_event("requestfailed") as refused:
            page.evaluate("() => { new Image().src = 'https://cdn.example.com/tracker.png'; }")
        assert refused.value.url == "https://cdn.example.com/tracker.png"
        return visit.foreign_requests()

    assert browser.run("recorder", scenario) == ["https://cdn.example.com/tracker.png"]
