"""The service catalog: items, their materials and frozen versions; search as the worker types."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Sequence

from pypinyin import Style, lazy_pinyin

from center import db
from center.domain.catalog import (
    FORM_LABELS,
    KIND_LABELS,
    CatalogError,
    KEYWORD_SEPARATORS,
    ItemSpec,
    MaterialSpec,
    format_keywords,
    material_label,
    normalize_query,
    parse_keywords,
    promise_label,
    search,
    search_haystack,
    validate_item,
    validate_materials,
)
from center.services import audit, cache
from center.services.identity import CurrentUser
from center.tables import Category, Item, ItemVersion, Material
from center.timeutil import utcnow


@lru_cache(maxsize=4096)
def pinyin_keys(name: str) -> tuple[str, str]:
    """Pinyin initials and full pinyin of a Chinese name: 老年证 -> ("lnz", "laonianzheng")."""
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()
    spelled = "".join(lazy_pinyin(name, errors="ignore")).lower()
    return initials, spelled


def keyword_keys(keywords: str) -> tuple[tuple[str, str, str], ...]:
    """What search compares an item's everyday words by: (word, pinyin initials, full pinyin), lowercase."""
    words = [normalize_query(w) for w in KEYWORD_SEPARATORS.split(keywords or "")]
    return tuple((w, *pinyin_keys(w)) for w in dict.fromkeys(w for w in words if w))


def index_entry(row: dict) -> dict:
    """An item row (with search_key, keywords, category_order, sort_order) as search reads it."""
    initials, spelled, _ = (row.get("search_key") or "||").split("|", 2)
    keys = keyword_keys(row.get("keywords", ""))
    return {
        **row,
        "initials": initials,
        "spelled": spelled,
        "keyword_keys": keys,
        "haystack": search_haystack(row["name"], row["code"], initials, spelled, keys),
        "sort_order": (row["category_order"], row["sort_order"]),
    }


def search_key(name: str, code: str) -> str:
    initials, spelled = pinyin_keys(name)
    return f"{initials}|{spelled}|{code.lower()}"


def invalidate() -> None:
    cache.catalog_index.changed()


async def categories() -> list[dict]:
    return await Category.select().order_by(Category.sort_order)


async def catalog_index() -> list[dict]:
    """Active items with what search needs; cached per process (the catalog changes rarely; services/cache.py)."""
    return await cache.catalog_index.get(str(id(db.engine())), _load_index)


async def _load_index() -> list[dict]:
    rows = await Item.select(
        Item.id, Item.code, Item.name, Item.kind, Item.promised_days, Item.search_key, Item.keywords, Item.sort_order,
        Item.forwarded, Item.category.name.as_alias("category_name"), Item.category.sort_order.as_alias("category_order"),
    ).where(Item.active == True)  # noqa: E712
    entries = []
    for row in rows:
        entries.append({
            **index_entry(row),
            "kind_label": KIND_LABELS.get(row["kind"], row["kind"]),
            "promise": promise_label(row["kind"], row["promised_days"]),
        })
    return entries


async def search_items(query: str, limit: int = 12) -> list[dict]:
    return search(query, await catalog_index(), limit=limit)


def _material_dict(row: dict) -> dict:
    return {
        "id": row.get("id"),
        "name": row["name"],
        "form": row["form"],
        "copies": row["copies"],
        "note": row["note"],
        "required": row["required"],
        "label": material_label(row["form"], row["copies"]),
    }


async def list_items(query: str = "", include_inactive: bool = False) -> list[dict]:
    """The catalog grouped by category for /catalog, filtered like the counter's search."""
    items = await Item.select(
        Item.all_columns(), Item.category.name.as_alias("category_name"),
        Item.category.sort_order.as_alias("category_order"),
    ).order_by(Item.category.sort_order).order_by(Item.sort_order)
    if not include_inactive:
        items = [i for i in items if i["active"]]
    if query.strip():
        items = search(query, [index_entry(item) for item in items], limit=100)
    counts: dict[int, int] = {}
    for row in await Material.select(Material.item) if items else []:
        counts[row["item"]] = counts.get(row["item"], 0) + 1
    groups: dict[str, dict] = {}
    for item in items:
        item["promise"] = promise_label(item["kind"], item["promised_days"])
        item["kind_label"] = KIND_LABELS.get(item["kind"], item["kind"])
        item["material_count"] = counts.get(item["id"], 0)
        group = groups.setdefault(item["category_name"], {"name": item["category_name"], "items": []})
        group["items"].append(item)
    return list(groups.values())


async def item_choices() -> list[dict]:
    """Every item (inactive ones too: old cases keep them) by category, for a filter: [{name, items: [{id, code, name}]}]."""
    rows = await Item.select(
        Item.id, Item.code, Item.name, Item.active, Item.category.name.as_alias("category_name"),
    ).order_by(Item.category.sort_order).order_by(Item.sort_order)
    groups: dict[str, dict] = {}
    for row in rows:
        groups.setdefault(row["category_name"], {"name": row["category_name"], "items": []})["items"].append(row)
    return list(groups.values())


async def get_item(item_id: int) -> dict | None:
    """One item with its materials in order."""
    item = await Item.select(
        Item.all_columns(), Item.category.name.as_alias("category_name")
    ).where(Item.id == item_id).first()
    if item is None:
        return None
    materials = await Material.select().where(Material.item == item_id).order_by(Material.position).order_by(Material.id)
    item["materials"] = [_material_dict(m) for m in materials]
    item["promise"] = promise_label(item["kind"], item["promised_days"])
    item["kind_label"] = KIND_LABELS.get(item["kind"], item["kind"])
    return item


def snapshot_of(item: dict) -> dict[str, Any]:
    """What the resident is told: frozen into an ItemVersion so old cases keep their list."""
    return {
        "code": item["code"],
        "name": item["name"],
        "category_name": item.get("category_name", ""),
        "department": item["department"],
        "kind": item["kind"],
        "promised_days": item["promised_days"],
        "legal_basis": item["legal_basis"],
        "fee": item["fee"],
        "forwarded": item["forwarded"],
        "materials": [
            {k: m[k] for k in ("name", "form", "copies", "note", "required", "label")} for m in item["materials"]
        ],
    }


async def current_version(item_id: int) -> dict:
    """The latest frozen version of an item (id, version, snapshot)."""
    row = (
        await ItemVersion.select(ItemVersion.id, ItemVersion.version, ItemVersion.snapshot)
        .where(ItemVersion.item == item_id)
        .order_by(ItemVersion.version, ascending=False)
        .first()
    )
    if row is None:
        raise CatalogError("事项尚无版本记录")
    row["snapshot"] = json.loads(row["snapshot"])
    return row


async def version_by_id(version_id: int) -> dict:
    row = await ItemVersion.select(ItemVersion.id, ItemVersion.version, ItemVersion.snapshot).where(
        ItemVersion.id == version_id
    ).first()
    row["snapshot"] = json.loads(row["snapshot"])
    return row


async def _freeze(item_id: int, actor: CurrentUser | None, bump: bool) -> int:
    """Write the item's current state as a new version (inside the caller's write transaction)."""
    if bump:
        await Item.update({Item.version: Item.version + 1, Item.updated_at: utcnow()}).where(Item.id == item_id)
    item = await get_item(item_id)
    await ItemVersion.insert(
        ItemVersion(item=item_id, version=item["version"], snapshot=json.dumps(snapshot_of(item), ensure_ascii=False),
                    created_by=actor.id if actor else None, created_at=utcnow())
    )
    return item["version"]


async def _check_unique_code(code: str, item_id: int | None) -> None:
    query = Item.exists().where(Item.code == code)
    if item_id is not None:
        query = query.where(Item.id != item_id)
    if await query:
        raise CatalogError(f"事项编码 {code} 已被使用", field="code")


async def _checked(spec: ItemSpec, materials: Sequence[MaterialSpec]) -> tuple[ItemSpec, list[MaterialSpec]]:
    """The item and its materials checked together: every wrong field told at once, in the form's order."""
    errors: dict[str, str] = {}
    checked_spec, checked_materials = spec, list(materials)
    for rule, value in ((validate_item, spec), (validate_materials, materials)):
        try:
            result = rule(value)
        except CatalogError as exc:
            errors.update(exc.errors or {exc.field or "form": str(exc)})
            continue
        if rule is validate_item:
            checked_spec = result
        else:
            checked_materials = result
    if not spec.category_id or not await Category.exists().where(Category.id == spec.category_id):
        errors["category_id"] = "请选择事项类别"
    if errors:
        order = ["code", "category_id"]  # as on the form: 编码 and 类别 first, then the rest as the rules found them
        raise CatalogError(errors={**{f: errors[f] for f in order if f in errors},
                                   **{f: m for f, m in errors.items() if f not in order}})
    return checked_spec, checked_materials


async def create_item(actor: CurrentUser | None, spec: ItemSpec, materials: Sequence[MaterialSpec]) -> int:
    spec, materials = await _checked(spec, materials)
    async with db.write_transaction():
        await _check_unique_code(spec.code, None)
        order = await Item.count().where(Item.category == spec.category_id)
        item_id = (await Item.insert(Item(
            code=spec.code, name=spec.name, category=spec.category_id, department=spec.department, kind=spec.kind,
            promised_days=spec.promised_days, legal_basis=spec.legal_basis, fee=spec.fee, forwarded=spec.forwarded,
            active=True, sort_order=order + 1, search_key=search_key(spec.name, spec.code), keywords=spec.keywords,
            version=1,
            updated_at=utcnow(),
        )).returning(Item.id))[0]["id"]
        await _insert_materials(item_id, materials)
        await _freeze(item_id, actor, bump=False)
        await audit.record("catalog.item_create", actor=actor, object_type="item", object_id=item_id,
                           detail={"code": spec.code, "name": spec.name})
    invalidate()
    return item_id


async def _insert_materials(item_id: int, materials: Sequence[MaterialSpec]) -> None:
    await Material.insert(*[
        Material(item=item_id, position=i, name=m.name, form=m.form, copies=m.copies, note=m.note, required=m.required)
        for i, m in enumerate(materials)
    ])


async def update_item(actor: CurrentUser, item_id: int, spec: ItemSpec, materials: Sequence[MaterialSpec],
                      expected_version: int | None = None) -> int:
    """Change an item and its materials (in the order given); a new version is frozen, audit-logged."""
    spec, materials = await _checked(spec, materials)
    async with db.write_transaction():
        current = await Item.select(Item.version, Item.code, Item.name).where(Item.id == item_id).first()
        if current is None:
            raise CatalogError("没有这个事项")
        if expected_version is not None and current["version"] != expected_version:
            raise CatalogError("该事项已被他人修改，请刷新后重新编辑")
        await _check_unique_code(spec.code, item_id)
        await Item.update({
            Item.code: spec.code, Item.name: spec.name, Item.category: spec.category_id,
            Item.department: spec.department, Item.kind: spec.kind, Item.promised_days: spec.promised_days,
            Item.legal_basis: spec.legal_basis, Item.fee: spec.fee, Item.forwarded: spec.forwarded,
            Item.search_key: search_key(spec.name, spec.code), Item.keywords: spec.keywords,
        }).where(Item.id == item_id)
        await Material.delete().where(Material.item == item_id)
        await _insert_materials(item_id, materials)
        version = await _freeze(item_id, actor, bump=True)
        await audit.record("catalog.item_update", actor=actor, object_type="item", object_id=item_id,
                           detail={"code": spec.code, "version": version, "materials": [m.name for m in materials],
                                   "keywords": spec.keywords})
    invalidate()
    return version


async def set_active(actor: CurrentUser, item_id: int, active: bool) -> None:
    async with db.write_transaction():
        if not await Item.exists().where(Item.id == item_id):
            raise CatalogError("没有这个事项")
        await Item.update({Item.active: active, Item.updated_at: utcnow()}).where(Item.id == item_id)
        await audit.record("catalog.item_activate" if active else "catalog.item_deactivate", actor=actor,
                           object_type="item", object_id=item_id)
    invalidate()


async def api_catalog() -> list[dict]:
    """The active catalog for GET /api/v1/catalog: every item with its category, promise and materials."""
    items = await Item.select(
        Item.id, Item.code, Item.name, Item.kind, Item.promised_days, Item.department, Item.fee, Item.forwarded,
        Item.legal_basis, Item.category.code.as_alias("category_code"), Item.category.name.as_alias("category"),
    ).where(Item.active == True).order_by(Item.category.sort_order).order_by(Item.sort_order)  # noqa: E712
    materials = await Material.select().order_by(Material.item).order_by(Material.position)
    by_item: dict[int, list[dict]] = {}
    for m in materials:
        by_item.setdefault(m["item"], []).append({
            "name": m["name"], "form": m["form"], "form_label": FORM_LABELS[m["form"]], "copies": m["copies"],
            "note": m["note"], "required": m["required"],
        })
    return [{**item, "materials": by_item.get(item["id"], [])} for item in items]


async def load_catalog(data, actor: CurrentUser | None = None, keywords: dict[str, str] | None = None) -> int:
    """Create the categories and items of a catalog description that are missing; returns items created.

    `keywords` (item code -> everyday words) seeds new items, and existing items that have none yet.
    """
    keywords = keywords or {}
    created = 0
    for order, (code, name, items) in enumerate(data):
        category = await Category.select(Category.id).where(Category.code == code).first()
        if category is None:
            category = (await Category.insert(Category(code=code, name=name, sort_order=order)).returning(Category.id))[0]
        existing = {r["code"]: r["keywords"] for r in await Item.select(Item.code, Item.keywords)}
        for (item_code, item_name, department, kind, days, forwarded, basis, materials) in items:
            if item_code in existing:
                if not existing[item_code] and keywords.get(item_code):
                    await Item.update({Item.keywords: format_keywords(parse_keywords(keywords[item_code]))}).where(
                        Item.code == item_code)
                    invalidate()
                continue
            await create_item(actor, ItemSpec(code=item_code, name=item_name, category_id=category["id"],
                                              department=department, kind=kind, promised_days=days,
                                              legal_basis=basis, forwarded=forwarded,
                                              keywords=keywords.get(item_code, "")),
                              [MaterialSpec(name=n, form=f, copies=c, note=note) for (n, f, c, note) in materials])
            created += 1
    return created
