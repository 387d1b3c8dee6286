"""The project's URLs plus one view that fails, to see the real 500 page (tests only)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from partnership.urls import urlpatterns as project_urlpatterns


@login_not_required
def broken(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("broken-for-test/", broken), *project_urlpatterns]
