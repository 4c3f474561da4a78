"""Pages every member of staff sees: login, logout and the home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from central.auth.roles import role_title
from central.auth.staff import CurrentUser, DbEngine, authenticate
from central.store.schema import cells, customers, items, order_lines, orders, sites

router = APIRouter()


def render(request: Request, template: str, status_code: int = 200, **context: object) -> HTMLResponse:
    """Render an office page with the user's language: ``render(request, "login.html", error=None)``."""
    env = request.app.state.templates
    html = env.get_template(template).render(
        language=request.app.state.settings.language, role_title=role_title, **context
    )
    return HTMLResponse(html, status_code=status_code)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html", user=None, error=None, login=None)


@router.post("/login", response_model=None)
def login(
    request: Request, engine: DbEngine, login: Annotated[str, Form()], password: Annotated[str, Form()]
) -> Response:
    with engine.connect() as conn:
        user = authenticate(conn, login, password)
    if user is None:
        return render(request, "login.html", status_code=401, user=None, login=login, error="Неверный логин или пароль")
    request.session.clear()
    request.session["user_id"] = user.id
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: CurrentUser, engine: DbEngine) -> HTMLResponse:
    with engine.connect() as conn:
        figures = [
            (title, conn.execute(select(func.count()).select_from(table)).scalar_one())
            for title, table in (
                ("Номенклатура", items),
                ("Покупатели", customers),
                ("Заказы", orders),
                ("Строки заказов", order_lines),
            )
        ]
        cell_counts = select(cells.c.site_id, func.count().label("n")).group_by(cells.c.site_id).subquery()
        site_rows = conn.execute(
            select(sites.c.code, sites.c.name, func.coalesce(cell_counts.c.n, 0).label("cells"))
            .outerjoin(cell_counts, cell_counts.c.site_id == sites.c.id)
            .order_by(sites.c.code)
        ).all()
    return render(request, "home.html", user=user, figures=figures, sites=site_rows)
