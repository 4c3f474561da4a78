"""Translations for the office pages: Russian is the source language, other catalogs translate from it."""

from __future__ import annotations

import gettext
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

LOCALE_DIR = Path(__file__).parent / "locale"
TEMPLATE_DIR = Path(__file__).parent / "templates"


def translations(language: str) -> gettext.NullTranslations:
    """Catalog for ``language``: ``translations("ru")`` is the identity, since texts are written in Russian."""
    return gettext.translation("stockyard", localedir=LOCALE_DIR, languages=[language], fallback=True)


def template_environment(language: str) -> Environment:
    """Jinja environment with ``_()`` bound to the language: ``template_environment("ru").get_template(...)``."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env
