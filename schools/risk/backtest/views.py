"""Pages of the risk backtest: the stored reports, one report, and running a new one (officers and admins)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from partnership.access import PartnershipViewMixin, request_user
from partnership.permissions import Permission
from schools.risk.backtest import selectors
from schools.risk.backtest.forms import BacktestForm
from schools.risk.backtest.presenters import backtest_summary_text, backtest_years
from schools.risk.backtest.services import (
    BacktestError,
    backtest_page_refusal,
    backtest_years_available,
    risk_backtest_run,
)
from schools.risk.engine.backtest import DEFINITION, definition_dict
from schools.risk.models import RiskBacktest

PAGE_SIZE = 25


class RiskBacktestListView(PartnershipViewMixin, TemplateView):
    """Stored backtests, newest first, each with its headline figures per as-at year."""

    permission = Permission.VIEW_RISK
    template_name = "risk/backtest_list.html"

    def get_context_data(self, **kwargs):
        page = Paginator(selectors.risk_backtest_list(membership=self.membership), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            page_obj=page,
            rows=[(backtest, backtest_summary_text(backtest)) for backtest in page],
            can_run=self.can(Permission.RUN_RISK),
            **kwargs,
        )


class RiskBacktestCreateView(PartnershipViewMixin, FormView):
    """Choose as-at years and run a backtest while the officer waits (quick at a partnership's size: ADR 0011)."""

    permission = Permission.RUN_RISK
    template_name = "risk/backtest_form.html"
    form_class = BacktestForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "years": backtest_years_available(partnership=self.partnership)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(refusal=backtest_page_refusal(partnership=self.partnership), **kwargs)

    def form_valid(self, form):
        refusal = backtest_page_refusal(partnership=self.partnership)
        if refusal:
            form.add_error(None, refusal)
            return self.form_invalid(form)
        try:
            backtest = risk_backtest_run(
                partnership=self.partnership,
                years=form.cleaned_data["years"],
                trigger=RiskBacktest.Trigger.PAGE,
                created_by=request_user(self.request),
            )
        except BacktestError as error:
            for message in error.errors:
                form.add_error("years", message)
            return self.form_invalid(form)
        messages.success(self.request, f"Backtest {backtest.pk} finished in {backtest.seconds or 0:.1f} seconds")
        return redirect("risk:backtest_detail", pk=backtest.pk)


class RiskBacktestDetailView(PartnershipViewMixin, TemplateView):
    """One backtest: what was measured, and per as-at year every outcome, predictor, share and note."""

    permission = Permission.VIEW_RISK
    template_name = "risk/backtest_detail.html"

    def get_context_data(self, **kwargs):
        backtest = selectors.access_risk_backtest(membership=self.membership, pk=self.kwargs["pk"])
        definition = backtest.report.get("definition") or definition_dict(DEFINITION)
        return super().get_context_data(
            backtest=backtest, definition=definition, years=backtest_years(backtest), **kwargs
        )
