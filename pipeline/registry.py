"""Model folders: written atomically (a temporary folder renamed into place), described by a card, verified on load.

A model folder holds ``model.joblib`` (the fitted estimators), ``scorer.joblib`` (the same estimators as arrays,
which `pubcom score` loads without importing scikit-learn: `pipeline.linear`) and ``card.json``. The card records the SHA-256 of
every other file in the folder; `load_model` checks them *before* unpickling, because a joblib file can run any
code when it is loaded: a tampered or swapped file is refused, never executed. ``models/latest`` points at the
current model (a symlink, or a one-line text file where symlinks are not allowed). A folder whose name starts
with a dot is an unfinished save (a process killed while writing): never listed or loaded, and removed by the
next `save_model` once it is over an hour old. See docs/security.md for what the hashes do and do not protect.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
import warnings
from datetime import datetime
from pathlib import Path

from . import config
from ._io import clean_stale, file_sha256
from .errors import ModelError
from .targets import ESTIMATORS
from .reply_tokenizer import REPLY_TOKENIZER_NAME, REPLY_TOKENIZER_VERSION
from .tokenizer import TOKENIZER_NAME, TOKENIZER_VERSION

MODEL_FILE = "model.joblib"
SCORER_FILE = "scorer.joblib"
CARD_FILE = "card.json"
FORMAT_VERSION = 1


def model_name(taxonomy_id: str, when: datetime | None = None) -> str:
    return f"{taxonomy_id}-{(when or datetime.now()).strftime('%Y%m%d-%H%M%S')}"


def save_model(model, models_dir: Path | str | None = None, *, name: str | None = None, point_latest: bool = True) -> Path:
    """Write the model folder under a temporary name, then rename it into place; optionally repoint `latest`."""
    import joblib

    models_dir = Path(models_dir or config.MODELS_DIR)
    models_dir.mkdir(parents=True, exist_ok=True)
    clean_stale(models_dir)  # temporary folders of trainings killed over an hour ago
    name = name or model_name(model.taxonomy.id)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=models_dir))
    tmp.chmod(0o755)  # mkdtemp makes it private; a model folder is shared like any other output
    try:
        path_before = model.path
        model.path = None
        joblib.dump(model, tmp / MODEL_FILE, compress=3)
        joblib.dump(model.for_scoring(), tmp / SCORER_FILE, compress=3)
        model.path = path_before
        card = {**model.card, "format_version": FORMAT_VERSION,
                "files": {f.name: file_sha256(f) for f in sorted(tmp.iterdir()) if f.name != CARD_FILE}}
        card, final = _place(tmp, models_dir, name, card)
    except OSError as exc:  # a full disk names the model folder the user will look for, not the temporary one
        shutil.rmtree(tmp, ignore_errors=True)
        raise type(exc)(exc.errno, f"cannot save the model ({exc.strerror or exc})", str(models_dir / name)) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    model.card, model.path = card, final
    if point_latest:
        set_latest(final, models_dir)
    return final


def _place(tmp: Path, models_dir: Path, name: str, card: dict) -> tuple[dict, Path]:
    """Rename the finished folder `tmp` to `name`, or `name-2`, `name-3`... when that is taken: the rename itself
    decides (it fails on a folder that holds a model), so two trainings finishing in the same second, in two
    processes, both keep their model. The card names the folder it ends in."""
    for n in range(1, 1000):
        final = models_dir / (name if n == 1 else f"{name}-{n}")
        if final.exists() or final.is_symlink():
            continue
        card = {**card, "name": final.name}
        (tmp / CARD_FILE).write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        try:
            os.rename(tmp, final)  # never over a folder that holds files: ENOTEMPTY / EEXIST instead
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST) or final.exists():
                continue  # another training took this name between the check and the rename
            raise
        return card, final
    raise ModelError(f"{models_dir}: 999 models named {name}-*; remove some")


def set_latest(model_dir: Path, models_dir: Path | None = None) -> None:
    """Point ``models/latest`` at `model_dir` atomically (replace, never delete-then-create)."""
    models_dir = Path(models_dir or model_dir.parent)
    link = models_dir / "latest"
    tmp = models_dir / f".latest.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    try:
        os.symlink(model_dir.name, tmp, target_is_directory=True)
    except OSError:
        tmp.write_text(model_dir.name + "\n", encoding="utf-8")
    if link.is_dir() and not link.is_symlink():
        raise ModelError(f"{link} is a real folder; move it away so that 'latest' can point at a model")
    os.replace(tmp, link)


def resolve(path: Path | str | None = None) -> Path:
    """A model folder from a path, a name under models/, or None (models/latest)."""
    if path is None:
        link = config.MODELS_DIR / "latest"
        if link.is_file() and not link.is_symlink():
            return config.MODELS_DIR / link.read_text(encoding="utf-8").strip()
        if not link.exists():
            raise ModelError(f"no model at {link}; train one first (pubcom train) or pass --model DIR")
        return link.resolve()
    path = Path(path)
    if not path.exists() and (config.MODELS_DIR / path).exists():
        path = config.MODELS_DIR / path
    if path.is_file() and path.name == "latest":
        path = path.parent / path.read_text(encoding="utf-8").strip()
    path = path.resolve()
    if path.name.startswith("."):
        raise ModelError(f"{path}: a temporary folder of an unfinished save, not a model")
    return path


MAX_CARD_BYTES = 4 << 20  # a card is some 10 KB; anything near this is not one, and is never read whole
# the card's sections that the code reads with .get: each must be a JSON object when present
_CARD_SECTIONS = (("tokenizer",), ("files",), ("versions",), ("metrics",), ("metrics", "theme"), ("taxonomy",),
                  ("training_data",), ("needs_review",), ("labels",), ("reply_tokenizer",), ("label_ja",),
                  ("label_ja", "theme"), ("label_ja", "response_type"))


def read_card(model_dir: Path | str) -> dict:
    """The card of a model folder, checked for shape; a missing, huge, unreadable, too deeply nested or mis-shaped
    card is one ModelError naming the file."""
    card_path = Path(model_dir) / CARD_FILE
    if not card_path.is_file():
        raise ModelError(f"{model_dir}: not a model folder (no {CARD_FILE})")
    size = card_path.stat().st_size
    if size > MAX_CARD_BYTES:
        raise ModelError(f"{card_path}: {size:,} bytes is not a model card (at most {MAX_CARD_BYTES:,}); refusing it")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{card_path}: unreadable card ({exc})") from exc
    except RecursionError as exc:  # [[[[...]]]] 100,000 deep: the parser's recursion, not a crash
        raise ModelError(f"{card_path}: unreadable card (nested too deeply)") from exc
    _check_card_shape(card, card_path)
    return card


def _check_card_shape(card, card_path: Path) -> None:
    if not isinstance(card, dict):
        raise ModelError(f"{card_path}: not a model card (a JSON {type(card).__name__}, expected an object)")
    for keys in _CARD_SECTIONS:
        value = card
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None and not isinstance(value, dict):
            raise ModelError(f"{card_path}: not a model card ({'.'.join(keys)} is a JSON {type(value).__name__}, "
                             "expected an object)")


def verify(model_dir: Path, card: dict) -> None:
    """Refuse a folder whose files do not match the card's hashes, or whose format this code cannot read."""
    if card.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"{model_dir}: model format {card.get('format_version')!r} is not readable by this version "
                         f"(reads {FORMAT_VERSION}); retrain it")
    tok = card.get("tokenizer", {})
    if tok.get("name") != TOKENIZER_NAME or tok.get("version") != TOKENIZER_VERSION:
        raise ModelError(f"{model_dir}: tokenizer {tok.get('name')} v{tok.get('version')} is not this code's "
                         f"{TOKENIZER_NAME} v{TOKENIZER_VERSION}; retrain the model")
    reply = card.get("reply_tokenizer")  # absent: a model whose reply model reads lemmas like its theme model
    expected = (REPLY_TOKENIZER_NAME, REPLY_TOKENIZER_VERSION)
    if reply is not None and (reply.get("name"), reply.get("version")) != expected:
        raise ModelError(f"{model_dir}: reply tokenizer {reply.get('name')} v{reply.get('version')} is not this code's "
                         f"{REPLY_TOKENIZER_NAME} v{REPLY_TOKENIZER_VERSION}; retrain the model")
    files = card.get("files") or {}
    if MODEL_FILE not in files:
        raise ModelError(f"{model_dir}: the card lists no hash for {MODEL_FILE}; refusing to load it")
    unlisted = sorted(p.name for p in model_dir.iterdir() if p.name != CARD_FILE and p.name not in files)
    if unlisted:
        raise ModelError(f"{model_dir}: {', '.join(unlisted)} not listed in {CARD_FILE} (added after training?); "
                         "refusing to load the folder")
    for name, expected in files.items():
        if Path(name).name != name or name in (".", ".."):
            raise ModelError(f"{model_dir}: the card lists {name!r}, which is not a file name in the folder")
        path = model_dir / name
        if not path.exists():
            raise ModelError(f"{model_dir}: {name} is missing")
        if file_sha256(path) != expected:
            raise ModelError(f"{model_dir}: {name} does not match the SHA-256 in {CARD_FILE} (tampered or swapped); "
                             "refusing to load it")


def load_model(path: Path | str | None = None):
    """Load a model folder (default: models/latest) after verifying its card and file hashes."""
    return _load(path, MODEL_FILE)


def load_scorer(path: Path | str | None = None):
    """What scoring needs of a model folder, verified like `load_model`: its `pipeline.linear.ScoringModel`, which
    loads without scikit-learn; the whole model for a folder saved before scorer.joblib existed."""
    return _load(path, SCORER_FILE)


def _load(path, file_name: str):
    import joblib

    model_dir = resolve(path)
    if not model_dir.is_dir():
        raise ModelError(f"{model_dir}: no such model folder")
    card = read_card(model_dir)
    verify(model_dir, card)
    _warn_versions(model_dir, card)
    if file_name not in card["files"]:
        file_name = MODEL_FILE
    model = joblib.load(model_dir / file_name)
    if all(getattr(model, key, None) is None for key in ESTIMATORS):
        raise ModelError(f"{model_dir}: the model has no fitted estimator (trained on no labelled rows); retrain "
                         "it with labels")
    model.card, model.path = card, model_dir
    return model


def _warn_versions(model_dir: Path, card: dict) -> None:
    from importlib.metadata import version  # not `import sklearn`: scoring never needs it otherwise

    trained, installed = card.get("versions", {}).get("scikit-learn"), version("scikit-learn")
    if trained and trained != installed:
        warnings.warn(f"{model_dir.name} was trained with scikit-learn {trained}; this is {installed}. "
                      "Predictions may differ: retrain when you can.", stacklevel=4)


def list_models(models_dir: Path | str | None = None) -> list[dict]:
    """Every model folder with its card's summary, newest first; a folder whose card cannot be read is listed
    with its ``error`` (one bad card never hides the others)."""
    models_dir = Path(models_dir or config.MODELS_DIR)
    latest = None
    try:
        latest = resolve(None).name if models_dir == config.MODELS_DIR else None
    except ModelError:
        pass
    rows = []
    for folder in sorted(models_dir.glob("*/" + CARD_FILE)):
        if folder.parent.name.startswith(".") or folder.parent.is_symlink():  # an unfinished save; `latest`
            continue
        try:
            card = read_card(folder.parent)
        except ModelError as exc:
            rows.append({"name": folder.parent.name, "latest": folder.parent.name == latest, "error": str(exc),
                         "created": None})
            continue
        theme = (card.get("metrics") or {}).get("theme") or {}
        taxonomy = card.get("taxonomy") or {}
        rows.append({"name": folder.parent.name, "latest": folder.parent.name == latest,
                     "taxonomy": f"{taxonomy.get('id')} v{taxonomy.get('version')}",
                     "rows": (card.get("training_data") or {}).get("rows"), "theme_macro_f1": theme.get("macro_f1"),
                     "created": card.get("created")})
    return sorted(rows, key=lambda r: str(r["created"] or ""), reverse=True)
