"""Excel fill-in forms (填报表): ``make_form`` writes one, ``import_forms`` reads filled ones back."""

from .importer import import_forms
from .layout import FORM_VERSION, form_file_name
from .make import make_form

__all__ = ["FORM_VERSION", "form_file_name", "import_forms", "make_form"]
