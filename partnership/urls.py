"""Top-level URL configuration. Every URL name must be classified in tests/test_url_permissions.py."""

from django.urls import include, path

from partnership import health, views

partnership_patterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("switch/", views.SwitchPartnershipView.as_view(), name="switch"),
    path("board/", views.BoardView.as_view(), name="board"),
    path("board/add/", views.BoardMemberFormView.as_view(), name="board_member_add"),
    path("board/<int:pk>/edit/", views.BoardMemberFormView.as_view(), name="board_member_edit"),
    path("people/", views.PeopleView.as_view(), name="people"),
    path("people/invite/", views.InviteView.as_view(), name="invite"),
    path("people/invitations/<int:pk>/revoke/", views.InvitationRevokeView.as_view(), name="invitation_revoke"),
    path("people/invitations/<int:pk>/resend/", views.InvitationResendView.as_view(), name="invitation_resend"),
    path("people/<int:pk>/", views.PersonView.as_view(), name="person"),
    path("people/<int:pk>/roles/", views.PersonRolesView.as_view(), name="person_roles"),
    path("people/<int:pk>/leads/", views.PersonLeadsView.as_view(), name="person_leads"),
    path("people/<int:pk>/archive/", views.PersonArchiveView.as_view(), name="person_archive"),
    path("people/<int:pk>/restore/", views.PersonRestoreView.as_view(), name="person_restore"),
    path("people/<int:pk>/two-factor-reset/", views.PersonMFAResetView.as_view(), name="person_mfa_reset"),
    path("invitation/<str:token>/", views.AcceptInvitationView.as_view(), name="accept_invitation"),
    path("jobs/", views.JobsView.as_view(), name="jobs"),
    path("jobs/<slug:kind>/retry/", views.JobsRetryView.as_view(), name="jobs_retry"),
]

health_patterns = [
    path("live/", health.live, name="live"),
    path("ready/", health.ready, name="ready"),
]

urlpatterns = [
    path("health/", include((health_patterns, "health"))),
    path("", include((partnership_patterns, "partnership"))),
    path("schools/", include("schools.urls")),
    path("risk/", include("schools.risk.urls")),
    path("board/", include("partnership.board.urls")),
    path("health-checks/", include("clusters.health.urls")),
    path("clusters/", include("clusters.urls")),
    path("peer-review/", include("peerreview.urls")),
    path("brokerage/", include("brokerage.urls")),
    path("visits/", include("schools.visits.urls")),
    # allauth's address page with one rule added (only a verified address becomes the account's): ADR 0015
    path("accounts/email/", views.EmailAddressView.as_view(), name="account_email"),
    path("accounts/", include("allauth.urls")),
]
