"""Form definitions in the bpmn.io form-js JSON format: load, validate, render.

A user task names its form by id; ``load_form``/``load_forms_dir`` check the files at deploy
time and ``FormDefinition.validate`` cleans what a person submits, on every completion.
"""

from forms.components import FormError, FormField, FormProblem, Option
from forms.definition import FormDefinition
from forms.loader import load_form, load_forms_dir

__all__ = [
    "FormDefinition",
    "FormError",
    "FormField",
    "FormProblem",
    "Option",
    "load_form",
    "load_forms_dir",
]
