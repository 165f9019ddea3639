"""Shared by the project-wide tests: every form class of the project, and each instantiated as
a page first shows it (tests/test_form_widgets.py, tests/test_widget_markup.py)."""

import importlib
import inspect
import pkgutil
from datetime import date

from django import forms

FORM_MODULES = [
    "cases.forms",
    "riskassessment.forms",
    "marac.forms",
    "marac.forms_partners",
    "marac.forms_referrals",
    "homicidereviews.forms",
    "reports.forms",
    "publicprotection.accounts.forms",
    "publicprotection.audit.forms",
]
APPS = ("cases", "riskassessment", "marac", "homicidereviews", "reports", "publicprotection")


def project_form_classes() -> list[type]:
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
            importlib.import_module(f"{name}.{info.name}")

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    found = {c for c in subclasses(forms.BaseForm) if c.__module__.split(".")[0] in APPS}
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


def instantiate(form_class):
    """The form as a page would first show it, with what its constructor needs."""
    from django.db.models import Count
    from django.test import RequestFactory

    from cases.models import Incident
    from marac.models import MaracMeeting
    from publicprotection.accounts.models import Borough, User
    from riskassessment.models import Instrument, RaraStatus

    owners = User.objects.all()
    values = {
        "owners": owners,
        "officers": owners,
        "statuses": list(RaraStatus.values),
        "meetings": MaracMeeting.objects.annotate(listed=Count("listings")),
        "boroughs": Borough.objects.all(),
        "today": date(2026, 12, 6),
        "request": RequestFactory().get("/"),
        "instrument": Instrument.objects.filter(is_default=True).first(),
        "incident": Incident(),
        "user": owners.first(),  # ChangePasswordForm(user)
        "candidates": [],  # ReferralForm: the people a referral may name
        "repeat_on_record": False,
    }
    # Every constructor in the class's ancestry (a mixin's *args, **kwargs hides the rest).
    names = {
        name
        for cls in form_class.__mro__
        if "__init__" in vars(cls)
        for name, p in inspect.signature(cls.__init__).parameters.items()
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
    }
    return form_class(**{name: values[name] for name in names if name in values})
