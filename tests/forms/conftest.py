from __future__ import annotations

import pytest

from forms import FormDefinition, load_form
from tests.forms.helpers import DATA


@pytest.fixture
def cr_record() -> FormDefinition:
    return load_form((DATA / "cr_record.form").read_bytes(), filename="cr_record.form")
