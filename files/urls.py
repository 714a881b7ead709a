from lms_project.routing import route

from . import views

urlpatterns = [
    *route("files/upload", views.FileUploadView.as_view(), "file-upload"),
    *route("files/my-files", views.MyFilesView.as_view(), "file-list-mine"),
    *route("files/download/<uuid:file_id>", views.FileDownloadView.as_view(), "file-download"),
    *route("files/<uuid:file_id>", views.FileDetailView.as_view(), "file-detail"),
    *route("files/<uuid:file_id>/download-url", views.FileDownloadUrlView.as_view(), "file-download-url"),
]
