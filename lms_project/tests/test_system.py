import pytest


@pytest.mark.django_db
def test_root_names_the_service_and_its_docs(api_client, settings):
    response = api_client.get("/")
    assert response.status_code == 200
    assert response.json() == {"name": settings.PROJECT_NAME, "version": settings.VERSION, "docs": "/docs"}
