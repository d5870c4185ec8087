"""The agreements half of the demo data, alone, and the demo admin account.

The full ``load_demo`` command (with corridors) is tested in corridors/tests/test_demo.py.
"""

import ast
import inspect
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connections

from agreements import demo
from agreements.models import Agreement, Organisation, Party, Signatory, Topic

pytestmark = pytest.mark.django_db


def test_agreements_demo_never_imports_corridors():
    tree = ast.parse(inspect.getsource(demo))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in imported if name.split(".")[0] == "corridors"]


def test_agreements_demo_loads_alone_and_twice_the_same():
    first = demo.load_demo()
    rows = [
        list(model.objects.order_by("pk").values_list()) for model in (Topic, Organisation, Agreement, Party, Signatory)
    ]
    second = demo.load_demo()

    assert first == second
    assert first["agreements"] == 3 and first["topics"] == 10
    assert [
        list(model.objects.order_by("pk").values_list()) for model in (Topic, Organisation, Agreement, Party, Signatory)
    ] == rows
    assert Agreement.objects.drafts().count() == 0


def test_a_demo_agreement_returned_to_draft_is_published_again():
    demo.load_demo()
    Agreement.objects.filter(slug=demo.KPA_LIAISON_OFFICE_MOU).get().unpublish()

    demo.load_demo()

    mou = Agreement.objects.get(slug=demo.KPA_LIAISON_OFFICE_MOU)
    assert mou.is_published and mou.published_at is not None


def test_intergovernmental_bodies_have_no_country():
    demo.load_demo()
    assert list(Organisation.objects.filter(kind="intergovernmental").values_list("acronym", "country")) == [
        ("CCTTFA", None),
        ("NCTTCA", None),
    ]


def run_ensure_demo_admin() -> str:
    out = StringIO()
    call_command("ensure_demo_admin", stdout=out)
    return out.getvalue()


def test_ensure_demo_admin_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="use createsuperuser in production"):
        run_ensure_demo_admin()
    assert not get_user_model().objects.filter(username="admin").exists()


def test_ensure_demo_admin_refuses_on_a_database_other_than_sqlite(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setattr(connections["default"], "vendor", "postgresql")
    with pytest.raises(CommandError, match="use createsuperuser in production"):
        run_ensure_demo_admin()
    assert not get_user_model().objects.filter(username="admin").exists()


def test_ensure_demo_admin_creates_then_resets_the_superuser(settings, monkeypatch):
    settings.DEBUG = True
    # The suite also runs on PostgreSQL; the command only asks the connection's vendor.
    monkeypatch.setattr(connections["default"], "vendor", "sqlite")
    assert "Created" in run_ensure_demo_admin()
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff and user.is_active and user.check_password("admin")
    assert not user.groups.exists()

    user.set_password("forgotten")
    user.is_active = False
    user.save()
    assert "Reset" in run_ensure_demo_admin()

    user.refresh_from_db()
    assert user.check_password("admin") and user.is_active
    assert get_user_model().objects.filter(username="admin").count() == 1
