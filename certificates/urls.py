from lms_project.routing import route  # noqa: F401

urlpatterns: list = []
# Server-rendered pages outside the API prefix (the public /verify/<number> page).
public_urlpatterns: list = []
