from django.urls import path

from schools.risk import views

app_name = "risk"

urlpatterns = [
    path("schools/<int:urn>/intelligence/", views.IntelligenceListView.as_view(), name="intelligence_list"),
    path("schools/<int:urn>/intelligence/add/", views.IntelligenceCreateView.as_view(), name="intelligence_add"),
    path("intelligence/<int:pk>/archive/", views.IntelligenceArchiveView.as_view(), name="intelligence_archive"),
    path("runs/", views.RiskRunListView.as_view(), name="run_list"),
    path("runs/start/", views.RiskRunCreateView.as_view(), name="run_create"),
    path("runs/<int:pk>/", views.RiskRunDetailView.as_view(), name="run_detail"),
    path("runs/<int:pk>/status.json", views.RiskRunStatusView.as_view(), name="run_status"),
    path("register/", views.RiskRegisterView.as_view(), name="register"),
    path("register/export.csv", views.RiskRegisterExportView.as_view(), name="register_export"),
    path("schools/<int:urn>/", views.RiskSchoolView.as_view(), name="school"),
    path("rules/", views.RulesetView.as_view(), name="ruleset"),
    path("rules/edit/", views.RulesetEditView.as_view(), name="ruleset_edit"),
]
