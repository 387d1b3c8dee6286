"""The site's URLs plus one page showing every kind of chart, for tests/system/test_charts.py only."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

from partnership.charts import Series, bar_chart, level_heatmap, line_chart

PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block page_title %}Charts{% endblock %}{% block content %}'
    '<h1 class="govuk-heading-l">Charts</h1>'
    "{% for chart in charts %}{% include 'includes/chart.html' with chart=chart heading_level=2 %}{% endfor %}"
    "{% endblock %}"
)


def charts_page(request: HttpRequest) -> HttpResponse:
    """A bar chart, a line chart and a level heat map on one page."""
    charts = [
        bar_chart(
            key="bars",
            title="Schools by category",
            categories=["Category 1", "Category 2", "Category 3", "Category 4"],
            series=[Series("Schools", [12, 30, 7, None])],
            category_label="Category",
            value_label="Schools",
        ),
        line_chart(
            key="lines",
            title="Average level by dimension",
            x=["2025/26", "2026/27"],
            series=[Series("Vision", [1, 2]), Series("Trust", [2, 2])],
            x_label="Check",
            value_label="Level",
        ),
        level_heatmap(
            key="grid",
            title="Strand levels",
            rows=["Vision", "Trust", "Engagement"],
            columns=["Summer 2026", "Summer 2027"],
            levels=["Beginning", "Developing", "Embedding", "Leading"],
            values=[[0, 1], [2, 3], [None, 1]],
            row_label="Strand",
        ),
    ]
    return HttpResponse(PAGE.render({"charts": charts}, request))


urlpatterns = [
    path("chart-check/", charts_page, name="chart_check"),
    path("", include("partnership.urls")),
]
