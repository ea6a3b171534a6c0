"""Taxonomies: the closed label sets (themes, response types) and the knowledge the examples cannot carry
(descriptions, keywords, reply phrases). Loaded from a TOML file whose schema is a public contract:

    [taxonomy]            id (required), version (required), language, label_ja, description
    [[themes]]            id (required, unique), label_ja (required), label_en, description, keywords = [...]
    [[response_types]]    id, label_ja, label_en, description, phrases = [...]   (optional: the default three)
    [response_categories] "as the government wrote it" = "<response type id>"   (optional)
"""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import config
from .errors import TaxonomyError

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib

_ID = re.compile(r"^[a-z][a-z0-9_]*$")

# The ids of the default three response types; a taxonomy without [[response_types]] gets the packaged
# taxonomy's (`packaged_response_types`), with all its reply phrases: what replies say is the same in every
# consultation, and a user's own taxonomy drafted from labels alone should not lose it.
DEFAULT_RESPONSE_TYPES = (
    {"id": "adopted", "label_ja": "案を修正", "label_en": "Draft modified", "phrases": ["修正します", "追記します", "追加します", "削除します"]},
    {"id": "future", "label_ja": "今後の参考・検討", "label_en": "Considered for the future", "phrases": ["検討してまいります", "参考にさせていただきます", "参考とさせていただきます"]},
    {"id": "kept", "label_ja": "案のとおり", "label_en": "Kept as drafted", "phrases": ["案のとおり", "既に記載", "原案のとおり"]},
)


_TABLES = {"taxonomy", "themes", "response_types", "response_categories"}
_HEAD_KEYS = {"id", "version", "language", "label_ja", "description"}


@dataclass(frozen=True)
class Entry:
    """One label of a taxonomy: a theme or a response type."""

    id: str
    label_ja: str
    label_en: str = ""
    description: str = ""


@dataclass(frozen=True)
class Theme(Entry):
    keywords: tuple[str, ...] = ()

    @property
    def words(self) -> tuple[str, ...]:
        """What residents write about the theme (its keywords)."""
        return self.keywords


@dataclass(frozen=True)
class ResponseType(Entry):
    phrases: tuple[str, ...] = ()

    @property
    def words(self) -> tuple[str, ...]:
        """What a reply of this type says (its phrases)."""
        return self.phrases


@dataclass(frozen=True)
class Taxonomy:
    id: str
    version: str
    themes: tuple[Theme, ...]
    response_types: tuple[ResponseType, ...]
    language: str = "ja"
    label_ja: str = ""
    description: str = ""
    response_categories: dict = field(default_factory=dict)
    path: str = ""
    sha256: str = ""

    def entries(self, kind: str = "theme") -> tuple[Entry, ...]:
        """The themes (kind "theme") or the response types (any other kind)."""
        return self.themes if kind == "theme" else self.response_types

    @property
    def theme_ids(self) -> list[str]:
        return [t.id for t in self.themes]

    @property
    def response_type_ids(self) -> list[str]:
        return [r.id for r in self.response_types]

    def theme_labels(self) -> dict[str, str]:
        return {t.id: t.label_ja for t in self.themes}

    def response_labels(self) -> dict[str, str]:
        return {r.id: r.label_ja for r in self.response_types}

    def to_ids(self, labels, *, kind: str = "theme") -> list:
        """Labels with each Japanese label (label_ja) replaced by its id, so that a labels file may keep the labels
        as people wrote them (`pubcom taxonomy init` turns such labels into ids and keeps them as label_ja)."""
        entries = self.entries(kind)
        ids = {e.id for e in entries}
        by_label = {e.label_ja: e.id for e in entries}
        return [label if label in ids else by_label.get(label, label) for label in labels]

    def check_labels(self, labels, *, kind: str = "theme", rows=None) -> None:
        """Raise TaxonomyError naming the first label outside the closed set, its row and the taxonomy file."""
        allowed = {e.id for e in self.entries(kind)}
        rows = list(rows) if rows is not None else None
        for index, label in enumerate(labels):
            if label in ("", None) or label != label:  # unlabelled rows are allowed, NaN != NaN
                continue
            if label not in allowed:
                where = f"row {rows[index]}" if rows is not None else f"row {index + 1}"
                raise TaxonomyError(
                    f"{kind} label {label!r} ({where}) is not in taxonomy {self.id} ({self.path or 'in memory'}); "
                    f"allowed: {', '.join(sorted(allowed))} (another taxonomy: pass --taxonomy)"
                )

    def card(self) -> dict:
        return {"id": self.id, "version": self.version, "sha256": self.sha256, "path": Path(self.path).name}


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Load and validate a taxonomy TOML (default: the packaged dx-ja)."""
    path = Path(path) if path else config.DEFAULT_TAXONOMY
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TaxonomyError(f"{path}: cannot read taxonomy ({exc.strerror or exc})") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{path}: not valid TOML ({exc})") from exc
    return taxonomy_from_dict(data, path=str(path), sha256=hashlib.sha256(raw).hexdigest())


def taxonomy_from_dict(data: dict, *, path: str = "", sha256: str = "") -> Taxonomy:
    where = path or "taxonomy"
    head = data.get("taxonomy")
    if not isinstance(head, dict):
        raise TaxonomyError(f"{where}: missing [taxonomy] table with id and version")
    _reject_unknown(data, _TABLES, f"{where}: unknown top-level table")
    _reject_unknown(head, _HEAD_KEYS, f"{where}: unknown [taxonomy] key")
    for key in ("id", "version"):
        if not str(head.get(key, "")).strip():
            raise TaxonomyError(f"{where}: [taxonomy] needs a non-empty {key!r}")
    themes = tuple(_entries(data.get("themes"), where, "themes", Theme, list_key="keywords"))
    if not themes:
        raise TaxonomyError(f"{where}: needs at least one [[themes]] entry")
    response_types = tuple(
        _entries(data.get("response_types") or packaged_response_types(), where, "response_types", ResponseType,
                 list_key="phrases")
    )
    categories = data.get("response_categories") or {}
    allowed = {r.id for r in response_types}
    for name, target in categories.items():
        if target not in allowed:
            raise TaxonomyError(f"{where}: [response_categories] {name!r} maps to unknown response type {target!r}")
    return Taxonomy(
        id=str(head["id"]), version=str(head["version"]), themes=themes, response_types=response_types,
        language=str(head.get("language", "ja")), label_ja=str(head.get("label_ja", "")),
        description=str(head.get("description", "")), response_categories=dict(categories), path=path, sha256=sha256,
    )


@functools.lru_cache(maxsize=1)
def _packaged_response_types_raw() -> tuple:
    data = tomllib.loads(config.DEFAULT_TAXONOMY.read_text(encoding="utf-8"))
    return tuple(data["response_types"])


def packaged_response_types() -> list[dict]:
    """The packaged taxonomy's [[response_types]] (adopted / future / kept with their reply phrases), as TOML tables."""
    return [dict(entry) for entry in _packaged_response_types_raw()]


def _reject_unknown(keys, allowed, message: str) -> None:
    """A misspelt table ([[response_type]]) or key (verison) would otherwise be ignored, or reported as the key it
    was meant to be missing: it is named first."""
    unknown = sorted(set(keys) - set(allowed))
    if unknown:
        raise TaxonomyError(f"{message} {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")


def _entries(items, where: str, table: str, cls, *, list_key: str):
    if items is None:
        return []
    if not isinstance(items, list):
        raise TaxonomyError(f"{where}: [[{table}]] must be an array of tables")
    seen: set[str] = set()
    out = []
    for number, item in enumerate(items, start=1):
        entry = f"{where}: [[{table}]] #{number}"
        if not isinstance(item, dict):
            raise TaxonomyError(f"{entry}: must be a table")
        ident = str(item.get("id", "")).strip()
        unknown = set(item) - {"id", "label_ja", "label_en", "description", list_key}
        if unknown:  # first: a misspelt label_ja would otherwise be reported as a missing one
            raise TaxonomyError(f"{entry} ({ident}): unknown keys {sorted(unknown)}")
        if not _ID.match(ident):
            raise TaxonomyError(f"{entry}: id {ident!r} must be lower-case letters, digits and _ (starting with a letter)")
        if ident in seen:
            raise TaxonomyError(f"{entry}: duplicate id {ident!r}")
        seen.add(ident)
        if not str(item.get("label_ja", "")).strip():
            raise TaxonomyError(f"{entry} ({ident}): needs label_ja")
        words = item.get(list_key, [])
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise TaxonomyError(f"{entry} ({ident}): {list_key} must be a list of non-empty strings")
        out.append(cls(id=ident, label_ja=str(item["label_ja"]), label_en=str(item.get("label_en", "")),
                       description=str(item.get("description", "")), **{list_key: tuple(w.strip() for w in words)}))
    return out
