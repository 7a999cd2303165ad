"""The service catalog (/catalog): everyone reads and searches it; managers create, edit and deactivate items."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery

from center.domain import DomainError, NotFound
from center.domain.access import Area
from center.domain.catalog import FORM_LABELS, KIND_LABELS, ItemSpec, MaterialSpec
from center.services import catalog
from center.web.deps import STAFF, Staff
from center.web.forms import FormData
from center.web.guards import requires
from center.web.links import redirect
from center.web.render import flash, page

EDIT_TEMPLATE = "catalog/edit.html"


def _materials_from(form: FormData) -> list[dict]:
    """Material rows as typed, in their order on the form (parallel fields m_name, m_form, …)."""
    names, forms = form.texts("m_name", 200), form.texts("m_form", 20)
    copies, notes = form.texts("m_copies", 10), form.texts("m_note", 300)
    optional = set(form.ints("m_optional"))
    rows = []
    for i, name in enumerate(names):
        count = copies[i] if i < len(copies) else "1"  # as typed: the domain says what is wrong with it
        rows.append({"name": name, "form": forms[i] if i < len(forms) else "original", "copies": count,
                     "note": notes[i] if i < len(notes) else "", "required": i not in optional})
    return rows


def _spec_from(form: FormData) -> ItemSpec:
    return ItemSpec(
        code=form.text("code", limit=40), name=form.text("name", limit=200), category_id=form.int("category_id") or 0,
        department=form.text("department", limit=200), kind=form.text("kind", limit=20),
        promised_days=form.text("promised_days", limit=20),
        legal_basis=form.text("legal_basis", limit=3000), fee=form.text("fee", limit=200),
        forwarded=form.flag("forwarded"), keywords=form.text("keywords", limit=1000),
    )


def _reorder(rows: list[dict], op: str) -> list[dict]:
    """Form-only edits of the material list: move a row up or down, remove it, add an empty row."""
    verb, _, raw = op.partition(":")
    if verb == "add":
        return rows + [{"name": "", "form": "original", "copies": 1, "note": "", "required": True}]
    try:
        index = int(raw)
    except ValueError:
        return rows
    if not 0 <= index < len(rows):
        return rows
    if verb == "remove":
        return rows[:index] + rows[index + 1:]
    target = index - 1 if verb == "up" else index + 1 if verb == "down" else index
    if 0 <= target < len(rows):
        rows[index], rows[target] = rows[target], rows[index]
    return rows


# Adding and editing items: the center's manager (and the admin); the catalog's other readers get 403.
EDITOR = requires(Area.catalog_edit, "只有中心负责人可以维护事项目录")


class CatalogController(Controller):
    """Everyone signed in reads the catalog; the handlers that change it also carry the EDITOR guard."""

    path = "/catalog"
    guards = [requires(Area.catalog)]
    dependencies = {"staff": STAFF}
    include_in_schema = False

    @get("/", name="catalog:index")
    async def list_catalog(self, request: Request, staff: Staff, q: FromQuery[str] = "", all: FromQuery[bool] = False) -> Response:
        show_inactive = all and staff.may_open(Area.catalog_edit)
        groups = await catalog.list_items(q[:40], include_inactive=show_inactive)
        return page(request, "catalog/index.html", {"groups": groups, "q": q[:40], "show_inactive": show_inactive,
                                                    "count": sum(len(g["items"]) for g in groups),
                                                    "can_edit": staff.may_open(Area.catalog_edit)})

    @get("/{item_id:int}", name="catalog:show")
    async def show_item(self, request: Request, staff: Staff, item_id: FromPath[int]) -> Response:
        item = await catalog.get_item(item_id)
        if item is None:
            raise NotFound("没有这个事项")
        return page(request, "catalog/show.html", {"item": item,
                                                   "can_edit": staff.may_open(Area.catalog_edit)})

    async def _form_page(self, request: Request, item: dict, materials: list[dict], *,
                         error: DomainError | None = None, status: int = 200) -> Response:
        # The heading names the item as saved, whatever was typed into its name field.
        saved = await catalog.get_item(item["id"]) if item.get("id") else None
        return page(request, EDIT_TEMPLATE, {
            "item": item, "materials": materials, "categories": await catalog.categories(),
            "form_labels": FORM_LABELS, "kind_labels": KIND_LABELS, "saved_name": saved["name"] if saved else "",
            "error": str(error) if error else None, "error_field": getattr(error, "field", None),
            "field_errors": getattr(error, "errors", None) or {},
        }, status_code=status)

    @get("/new", name="catalog:new", guards=[EDITOR])
    async def new_item(self, request: Request) -> Response:
        blank = {"id": None, "code": "", "name": "", "category": None, "department": "", "kind": "promised",
                 "promised_days": 5, "legal_basis": "", "fee": "不收费", "forwarded": False, "keywords": "",
                 "version": None}
        return await self._form_page(request, blank, [{"name": "居民身份证", "form": "both", "copies": 1, "note": "",
                                                       "required": True}])

    @get("/{item_id:int}/edit", name="catalog:edit", guards=[EDITOR])
    async def edit_item(self, request: Request, item_id: FromPath[int]) -> Response:
        item = await catalog.get_item(item_id)
        if item is None:
            raise NotFound("没有这个事项")
        return await self._form_page(request, item, item["materials"])

    async def _save(self, request: Request, staff: Staff, item_id: int | None) -> Response:
        form = await FormData.read(request)
        rows = _materials_from(form)
        spec = _spec_from(form)
        typed = {"id": item_id, "code": spec.code, "name": spec.name, "category": spec.category_id,
                 "department": spec.department, "kind": spec.kind, "promised_days": form.text("promised_days"),
                 "legal_basis": spec.legal_basis, "fee": spec.fee, "forwarded": spec.forwarded,
                 "keywords": spec.keywords, "version": form.int("version")}
        op = form.text("op", limit=20)
        if op:
            return await self._form_page(request, typed, _reorder(rows, op))
        materials = [MaterialSpec(name=r["name"], form=r["form"], copies=r["copies"], note=r["note"],
                                  required=r["required"]) for r in rows]
        try:
            if item_id is None:
                item_id = await catalog.create_item(staff, spec, materials)
                flash(request, "事项已创建")
            else:
                version = await catalog.update_item(staff, item_id, spec, materials,
                                                    expected_version=form.int("version"))
                flash(request, f"事项已保存（第 {version} 版，已受理的办件保留原告知内容）")
        except DomainError as exc:
            return await self._form_page(request, typed, rows, error=exc, status=422)
        return redirect(request, "catalog:show", item_id=item_id)

    @post("/", name="catalog:create", guards=[EDITOR])
    async def create_item(self, request: Request, staff: Staff) -> Response:
        return await self._save(request, staff, None)

    @post("/{item_id:int}", name="catalog:update", guards=[EDITOR])
    async def update_item(self, request: Request, staff: Staff, item_id: FromPath[int]) -> Response:
        return await self._save(request, staff, item_id)

    @post("/{item_id:int}/active", name="catalog:set_active", guards=[EDITOR])
    async def set_item_active(self, request: Request, staff: Staff, item_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        active = form.flag("active")
        await catalog.set_active(staff, item_id, active)
        flash(request, "事项已启用" if active else "事项已停用，窗口将不再显示")
        return redirect(request, "catalog:show", item_id=item_id)
