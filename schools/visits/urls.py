"""Notes of visit (namespace ``visits``), mounted at ``/visits/``."""

from django.urls import path

from schools.visits import views

app_name = "visits"

urlpatterns = [
    path("", views.VisitListView.as_view(), name="list"),
    path("due/", views.VisitDueView.as_view(), name="due"),
    path("frequency/", views.SettingsView.as_view(), name="settings"),
    path("schools/<int:urn>/", views.SchoolVisitsView.as_view(), name="school"),
    path("schools/<int:urn>/add/", views.VisitCreateView.as_view(), name="create"),
    path("schools/<int:urn>/adviser/", views.AdviserSetView.as_view(), name="adviser"),
    path("<int:pk>/", views.VisitDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.VisitEditView.as_view(), name="edit"),
    path("<int:pk>/share/", views.VisitShareView.as_view(), name="share"),
    path("<int:pk>/respond/", views.VisitRespondView.as_view(), name="respond"),
    path("<int:pk>/promote/", views.PromoteView.as_view(), name="promote"),
    path("<int:pk>/actions/add/", views.ActionAddView.as_view(), name="action_add"),
    path("<int:pk>/actions/<int:action>/remove/", views.ActionRemoveView.as_view(), name="action_remove"),
]
