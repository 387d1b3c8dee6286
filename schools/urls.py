from django.urls import path

from schools import views

app_name = "schools"

urlpatterns = [
    path("", views.SchoolListView.as_view(), name="list"),
    path("export.csv", views.SchoolExportView.as_view(), name="export"),
    path("networks/", views.NetworkListView.as_view(), name="network_list"),
    path("networks/add/", views.NetworkFormView.as_view(), name="network_create"),
    path("networks/<int:pk>/", views.NetworkDetailView.as_view(), name="network_detail"),
    path("networks/<int:pk>/edit/", views.NetworkFormView.as_view(), name="network_edit"),
    path("networks/<int:pk>/schools/add/", views.NetworkAddSchoolView.as_view(), name="network_add_school"),
    path(
        "networks/<int:pk>/memberships/<int:membership_pk>/end/",
        views.NetworkEndMembershipView.as_view(),
        name="network_end_membership",
    ),
    path("imports/", views.ImportListView.as_view(), name="import_list"),
    path("imports/upload/", views.ImportUploadView.as_view(), name="import_upload"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/status.json", views.ImportStatusView.as_view(), name="import_status"),
    path("<int:urn>/", views.SchoolDetailView.as_view(), name="detail"),
]
