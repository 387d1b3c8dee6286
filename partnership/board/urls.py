"""The board's URLs (namespace ``board``)."""

from django.urls import path

from partnership.board import views

app_name = "board"

urlpatterns = [
    path("overview/", views.BoardHomeView.as_view(), name="home"),
    path("terms/", views.BoardEditView.as_view(), name="terms"),
    path("members/<int:pk>/standing/", views.StandingView.as_view(), name="standing"),
    path("declarations/", views.DeclarationListView.as_view(), name="declarations"),
    path("declarations/add/", views.DeclarationAddView.as_view(), name="declaration_add"),
    path("meetings/", views.MeetingListView.as_view(), name="meeting_list"),
    path("meetings/add/", views.MeetingAddView.as_view(), name="meeting_add"),
    path("meetings/<int:pk>/", views.MeetingView.as_view(), name="meeting"),
    path("meetings/<int:pk>/state/", views.MeetingStateView.as_view(), name="meeting_state"),
    path("meetings/<int:pk>/agenda/add/", views.AgendaItemAddView.as_view(), name="agenda_add"),
    path("meetings/<int:pk>/papers/add/", views.PaperAddView.as_view(), name="paper_add"),
    path("meetings/<int:pk>/minutes/", views.MinutesView.as_view(), name="minutes"),
    path("meetings/<int:pk>/decisions/add/", views.DecisionAddView.as_view(), name="decision_add"),
    path("meetings/<int:pk>/actions/add/", views.ActionAddView.as_view(), name="action_add"),
    path("meetings/<int:pk>/pack/", views.PackBuildView.as_view(), name="pack_build"),
    path("actions/<int:pk>/status/", views.ActionStatusView.as_view(), name="action_status"),
    path("papers/<int:pk>/", views.PaperDownloadView.as_view(), name="paper"),
    path("rounds/<int:pk>/", views.RoundSummaryView.as_view(), name="round"),
    path("strategy/", views.StrategyView.as_view(), name="strategy"),
    path("strategy/edit/", views.StrategyEditView.as_view(), name="strategy_edit"),
    path("strategy/priorities/add/", views.PriorityAddView.as_view(), name="priority_add"),
    path("strategy/priorities/<int:pk>/edit/", views.PriorityEditView.as_view(), name="priority_edit"),
    path("strategy/priorities/<int:pk>/retire/", views.PriorityRetireView.as_view(), name="priority_retire"),
    path("strategy/priorities/<int:pk>/deliverables/add/", views.DeliverableFormView.as_view(), name="deliverable_add"),
    path("strategy/deliverables/<int:deliverable>/edit/", views.DeliverableFormView.as_view(), name="deliverable_edit"),
    path("kpis/", views.ScorecardView.as_view(), name="scorecard"),
    path("kpis/library/", views.LibraryKpiAddView.as_view(), name="kpi_library_add"),
    path("kpis/add/", views.KpiFormView.as_view(), name="kpi_add"),
    path("kpis/refresh/", views.KpiRefreshView.as_view(), name="kpi_refresh"),
    path("kpis/<int:pk>/", views.KpiView.as_view(), name="kpi"),
    path("kpis/<int:pk>/edit/", views.KpiFormView.as_view(), name="kpi_edit"),
    path("kpis/<int:pk>/values/add/", views.KpiValueAddView.as_view(), name="kpi_value_add"),
    path("kpi-values/<int:pk>/rag/", views.OverrideView.as_view(), name="kpi_value_override"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("packs/<int:pk>/", views.PackView.as_view(), name="pack"),
    path("packs/<int:pk>/pdf/", views.PackFileView.as_view(kind="pdf"), name="pack_pdf"),
    path("packs/<int:pk>/xlsx/", views.PackFileView.as_view(kind="xlsx"), name="pack_xlsx"),
]
