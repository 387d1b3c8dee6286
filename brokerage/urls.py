from django.urls import path

from brokerage import views

app_name = "brokerage"

urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("peer-review/collect/", views.PeerReviewSyncView.as_view(), name="peer_review_sync"),
    path("mine/", views.MineView.as_view(), name="mine"),
    path("providers/", views.ProviderListView.as_view(), name="provider_list"),
    path("providers/add/", views.ProviderFormView.as_view(), name="provider_create"),
    path("providers/invite-leading/", views.InviteLeadingView.as_view(), name="invite_leading"),
    path("providers/<int:pk>/", views.ProviderDetailView.as_view(), name="provider_detail"),
    path("providers/<int:pk>/edit/", views.ProviderFormView.as_view(), name="provider_edit"),
    path("providers/<int:pk>/interests/add/", views.InterestCreateView.as_view(), name="interest_add"),
    path("providers/<int:pk>/answer/", views.InvitationAnswerView.as_view(), name="invitation_answer"),
    path("catalogue/", views.CatalogueView.as_view(), name="catalogue"),
    path("requests/new/", views.RequestCreateView.as_view(), name="request_create"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    path("requests/<int:pk>/move/", views.RequestTransitionView.as_view(), name="request_transition"),
    path("requests/<int:pk>/shortlist/", views.RequestShortlistView.as_view(), name="request_shortlist"),
    path("requests/<int:pk>/choose/", views.RequestChooseView.as_view(), name="request_choose"),
    path("requests/<int:pk>/release/", views.RequestReleaseView.as_view(), name="request_release"),
    path("requests/<int:pk>/agreement/", views.DeploymentCreateView.as_view(), name="deployment_create"),
    path("deployments/", views.DeploymentListView.as_view(), name="deployment_list"),
    path("deployments/<int:pk>/", views.DeploymentDetailView.as_view(), name="deployment_detail"),
    path("deployments/<int:pk>/sign/", views.DeploymentSignView.as_view(), name="deployment_sign"),
    path("deployments/<int:pk>/move/", views.DeploymentTransitionView.as_view(), name="deployment_transition"),
    path("deployments/<int:pk>/vary/", views.VariationView.as_view(), name="deployment_vary"),
    path("deployments/<int:pk>/visits/add/", views.VisitCreateView.as_view(), name="visit_create"),
    path("deployments/<int:pk>/evaluate/", views.EvaluationView.as_view(), name="evaluation"),
    path("deployments/<int:pk>/notes/<str:kind>/", views.NoteView.as_view(), name="deployment_note"),
    path("visits/<int:pk>/respond/", views.VisitRespondView.as_view(), name="visit_respond"),
    path("funds/", views.FundListView.as_view(), name="fund_list"),
    path("funds/add/", views.FundCreateView.as_view(), name="fund_create"),
    path("ledger/", views.LedgerView.as_view(), name="ledger"),
    path("summary/", views.SummaryView.as_view(), name="summary"),
    path("export/<str:kind>.<str:fmt>", views.ExportView.as_view(), name="export"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
]
