from __future__ import annotations

from pathlib import Path
from typing import Any

from forms import FormDefinition, load_form

DATA = Path(__file__).parent / "data"


def make_form(*components: dict[str, Any], **top: Any) -> FormDefinition:
    """A form with the given components, as the form-js editor would save it."""
    return load_form({"type": "default", "id": "test_form", "components": list(components), **top})
