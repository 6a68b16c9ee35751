"""The reviewer's workspace (`GET /`) and the rule pages (`GET /rules`, `GET /rules/{rule_id}`).

These pages carry no draft and no result, only the form and the explanations, so they are open even when API keys
are set: the page asks for the key and sends it with the one request that analyses the draft.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from reviewlens.models.labels import PLAIN_LABELS, THEMES
from reviewlens.models.rules import RULES
from reviewlens.serving.api.deps import SettingsDep, served_analyzers
from reviewlens.serving.api.errors import ApiError
from reviewlens.serving.api.static import html_page
from reviewlens.serving.render import environment, render_page

router = APIRouter(tags=["workspace"], include_in_schema=False)


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


@router.get("/", response_class=HTMLResponse)
async def workspace(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The page to paste a draft into (or drop a file on); it renders the result in place."""
    tiers = list(served_analyzers(request.app.state))
    return html_page(render_page(api_key_required=bool(settings.api_keys), root=_root(request), tiers=tiers))


@router.get("/rules", response_class=HTMLResponse)
async def rules_index(request: Request) -> HTMLResponse:
    """Every rule reviewlens reports, by theme."""
    template = environment().get_template("rules.html.j2")
    return html_page(template.render(rule=None, rules=RULES, themes=THEMES, plain_labels=PLAIN_LABELS,
                                        root=_root(request)))


@router.get("/rules/{rule_id}", response_class=HTMLResponse)
async def rule_page(rule_id: str, request: Request) -> HTMLResponse:
    """What one rule means, with examples from the annotation guideline (a LanguageTool match's `rule.urls`)."""
    rule = RULES.get(rule_id.upper())
    if rule is None:
        raise ApiError(404, "unknown_rule", "No such rule; /rules lists them all.")
    template = environment().get_template("rules.html.j2")
    return html_page(template.render(rule=rule, rules=RULES, themes=THEMES, plain_labels=PLAIN_LABELS,
                                        root=_root(request)))
