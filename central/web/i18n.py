"""Translations for the office pages: Russian is the source language, other catalogs translate from it."""

from __future__ import annotations

import gettext
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from central.auth.roles import role_title
from central.web.nav import menu

LOCALE_DIR = Path(__file__).parent / "locale"
TEMPLATE_DIR = Path(__file__).parent / "templates"


def translations(language: str) -> gettext.NullTranslations:
    """Catalog for ``language``: ``translations("ru")`` is the identity, since texts are written in Russian."""
    return gettext.translation("stockyard", localedir=LOCALE_DIR, languages=[language], fallback=True)


def template_environment(language: str, *extra_dirs: Path) -> Environment:
    """Jinja environment with ``_()`` bound to the language: ``template_environment("ru").get_template(...)``.

    Templates are looked up in ``extra_dirs`` first, then in the office's own folder; every page gets the
    menu (``menu(user)``) and the role titles.
    """
    env = Environment(
        loader=FileSystemLoader([*extra_dirs, TEMPLATE_DIR]),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(menu=menu, role_title=role_title)
    return env
