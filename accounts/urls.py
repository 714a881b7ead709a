from lms_project.routing import route

from . import views

auth_urlpatterns = [
    *route("auth/register", views.RegisterView.as_view(), "auth-register"),
    *route("auth/login", views.LoginView.as_view(), "auth-login"),
    *route("auth/refresh", views.RefreshView.as_view(), "auth-refresh"),
    *route("auth/logout", views.LogoutView.as_view(), "auth-logout"),
    *route("auth/me", views.AuthMeView.as_view(), "auth-me"),
]

users_urlpatterns = [
    *route("users", views.UserListView.as_view(), "user-list"),
    *route("users/me", views.UserMeView.as_view(), "user-me"),
    *route("users/<uuid:user_id>", views.UserDetailView.as_view(), "user-detail"),
]

urlpatterns = auth_urlpatterns + users_urlpatterns
