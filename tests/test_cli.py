"""The `fairclaim` command and the demo data."""

import subprocess
import sys
from pathlib import Path

import pytest

from fairclaim.accounts.models import User
from fairclaim.cases.models import Case
from fairclaim.ops.demo import load_demo
from fairclaim.works.models import Work
from tests.images import photo_bytes


def test_help_lists_the_product_verbs():
    result = subprocess.run(
        [sys.executable, "-m", "fairclaim.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    for verb in ("serve", "worker", "demo", "manage"):
        assert f"    {verb} " in result.stdout


@pytest.fixture
def photos_dir(tmp_path) -> Path:
    rows = ["file,source_package,source_path,licence,credit,width,height,is_crop_of"]
    for i, package in enumerate(["mate-backgrounds", "opencv-doc", "scikit-image"]):
        name = f"p{i}.jpg"
        (tmp_path / name).write_bytes(photo_bytes(60 + i))
        rows.append(
            f'{name},{package},usr/share/x/Photo{i}.jpg,GPL-2+,"2008, Ada Lens <a@x>",320,240,'
        )
    (tmp_path / "manifest.csv").write_text("\n".join(rows) + "\n")
    return tmp_path


def test_demo_data_loads_once_with_a_user_per_role(db, photos_dir):
    first = load_demo(photos_dir)
    again = load_demo(photos_dir)
    assert (first.works_added, again.works_added, again.works_skipped) == (3, 0, 3)
    roles = set(User.objects.filter(username__startswith="demo-").values_list("role", flat=True))
    assert roles == {"rights_holder", "case_manager", "law_firm"}
    photographer = User.objects.get(username="demo-photographer")
    assert photographer.check_password("demo-photographer-pass")
    work = Work.objects.filter(owner=photographer.organisation).first()
    assert work.creator == "Ada Lens"
    # No hand-made case: demo cases come from claims in the app, through the send gate.
    assert not Case.objects.exists()


def test_demo_data_is_refused_in_production(db, settings, photos_dir):
    from django.core.exceptions import ImproperlyConfigured

    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured, match="refused in production"):
        load_demo(photos_dir)
