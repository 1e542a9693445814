from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from fairclaim.accounts.access import can_change_cases, cases_for, get_case_for_user

from .log import verify_case_log

PAGE_SIZE = 50


@login_required
def list_cases(request):
    cases = cases_for(request.user).select_related("rights_holder")
    state = request.GET.get("state", "")
    if state:
        cases = cases.filter(state=state)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/list.html", {"page": page, "state": state})


@login_required
def show_case(request, reference):
    case = get_case_for_user(request, reference)
    context = {
        "case": case,
        "lines": case.lines.select_related("work"),
        "events": case.events.order_by("seq"),
        "chain": verify_case_log(case),
        "can_edit": can_change_cases(request.user),
    }
    return render(request, "cases/detail.html", context)
