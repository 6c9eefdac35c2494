"""A provider SDK is imported only by its adapter, `app/integrations/<provider>/client.py`:
checked by `scripts/check_sdk_imports.py` (run by `make lint`) on the real tree and shown here on
small trees that break the rule."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _check_sdk_imports() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_sdk_imports", ROOT / "scripts" / "check_sdk_imports.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    app = tmp_path / "app"
    for name, text in files.items():
        path = app / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return app


def test_the_app_imports_every_sdk_only_from_its_integration() -> None:
    assert _check_sdk_imports().violations() == []


@pytest.mark.parametrize(
    ("where", "line", "sdk"),
    [
        ("payments/providers/stripe.py", "import stripe", "stripe"),
        ("payments/paypal.py", "from paypalserversdk.models.money import Money", "paypalserversdk"),
        ("payments/terminal.py", "from sumup import AsyncSumup", "sumup"),
        ("notifications/channels.py", "import ovh.exceptions", "ovh"),
        ("notifications/channels.py", "import resend", "resend"),
        (
            "core/storage.py",
            "def gcs():\n    from google.cloud import storage",
            "google.cloud.storage",
        ),
        # Inside integrations, only the provider's own client may.
        ("integrations/stripe/webhooks.py", "import stripe", "stripe"),
        ("integrations/paypal/client.py", "import stripe", "stripe"),
    ],
)
def test_an_sdk_imported_outside_its_client_is_refused(
    tmp_path: Path, where: str, line: str, sdk: str
) -> None:
    app = _tree(tmp_path, {where: f"{line}\n"})

    [problem] = _check_sdk_imports().violations(app)

    assert problem.startswith(f"app/{where}:")
    assert f"imports {sdk}:" in problem


def test_each_sdk_may_be_imported_by_its_client(tmp_path: Path) -> None:
    app = _tree(
        tmp_path,
        {
            "integrations/stripe/client.py": "import stripe\n",
            "integrations/paypal/client.py": "from paypalserversdk.models.money import Money\n",
            "integrations/sumup/client.py": "from sumup import AsyncSumup\n",
            "integrations/ovh_sms/client.py": "import ovh\n",
            "integrations/resend_email/client.py": "import resend\n",
            "integrations/gcs/client.py": "from google.cloud import storage\n",
            # Not an SDK of ours: a name that merely starts like one.
            "payments/service.py": "import stripey\nimport resendable\n",
        },
    )

    assert _check_sdk_imports().violations(app) == []
