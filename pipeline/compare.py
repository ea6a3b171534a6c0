"""Models compared on the same labelled rows, and the rule that decides whether a new model becomes `latest`.

The rule (`promotion`): a newly trained model replaces ``models/latest`` only when it is at least as good as the
current latest *on the labelled data it was trained from*. The two numbers come from the only fair protocol that
exists for both: the new model's score is cross-validated (each row predicted by a fit that never saw it); the
current latest is tested on the same rows as a fitted model (it never saw them either, unless its card says it was
trained on the same consultation: then its score is optimistic, the bar is higher than fair, and the output says
so). A latest model with another label set cannot be scored on these labels; it is kept unless `--force`.
"""
from __future__ import annotations

from pathlib import Path

from .targets import ESTIMATORS

_KEPT = "latest kept (pass --force to replace it)"


def compare_metrics(a: dict, b: dict) -> dict:
    """Overall and per-class deltas (b - a) of two metrics dicts from `evaluate`, for each target both have."""
    out = {}
    for key in ESTIMATORS:
        if key not in a or key not in b:
            continue
        ma, mb = a[key], b[key]
        classes = sorted(set(ma.get("per_class", {})) | set(mb.get("per_class", {})))
        out[key] = {
            "overall": {m: {"a": ma[m], "b": mb[m], "delta": round(mb[m] - ma[m], 4)} for m in ("accuracy", "macro_f1")},
            "per_class_f1": {
                c: {"a": _f1(ma, c), "b": _f1(mb, c), "delta": round(_f1(mb, c) - _f1(ma, c), 4),
                    "support": max(_support(ma, c), _support(mb, c))}
                for c in classes
            },
        }
    return out


def _f1(metrics: dict, label) -> float:
    return float(metrics.get("per_class", {}).get(label, {}).get("f1", 0.0))


def _support(metrics: dict, label) -> int:
    return int(metrics.get("per_class", {}).get(label, {}).get("support", 0))


def format_comparison(deltas: dict, name_a: str, name_b: str) -> list[str]:
    lines = [f"A = {name_a}", f"B = {name_b}"]
    for key, parts in deltas.items():
        overall = parts["overall"]
        lines.append(f"{key}: macro-F1 A {overall['macro_f1']['a']:.3f}  B {overall['macro_f1']['b']:.3f}  "
                     f"({overall['macro_f1']['delta']:+.3f}); accuracy A {overall['accuracy']['a']:.3f}  "
                     f"B {overall['accuracy']['b']:.3f}  ({overall['accuracy']['delta']:+.3f})")
        for label, row in parts["per_class_f1"].items():
            lines.append(f"    {label:28} n={row['support']:<4} F1 A {row['a']:.2f}  B {row['b']:.2f}  ({row['delta']:+.2f})")
    return lines


def _headline_metric(metrics: dict) -> tuple[str, float] | None:
    for key in ("theme", "response_type"):
        if key in metrics:
            return key, float(metrics[key]["macro_f1"])
    return None


def read_latest(models_dir: Path | str) -> tuple[object, str]:
    """(the model `latest` points at in `models_dir`, or None when there is none yet; why it cannot be read, or "")."""
    from .errors import ModelError
    from .registry import load_model

    link = Path(models_dir) / "latest"
    if not (link.exists() or link.is_symlink()):
        return None, ""
    try:
        return load_model(link), ""
    except ModelError as exc:
        return None, str(exc)


def promotion(new_metrics: dict, new_taxonomy, latest, frame, *, force: bool = False, unreadable: str = "") -> dict:
    """Whether the new model should become latest, and why (a dict that also goes on the new model's card).
    `unreadable`: why the current latest could not be read (`read_latest`); it is then kept as it is."""
    from .evaluate import evaluate

    if force:
        return {"latest": True, "reason": "--force"}
    if unreadable:
        return {"latest": False, "reason": f"the current latest cannot be read ({unreadable}); {_KEPT}"}
    if latest is None:
        return {"latest": True, "reason": "there was no latest model"}
    old = latest.taxonomy
    if (old.id, old.theme_ids, old.response_type_ids) != (new_taxonomy.id, new_taxonomy.theme_ids, new_taxonomy.response_type_ids):
        return {"latest": False, "reason": f"latest ({latest.path.name if latest.path else '?'}) uses taxonomy {old.id} with "
                f"other labels, so it cannot be scored on these; {_KEPT}"}
    new = _headline_metric(new_metrics)
    current = evaluate(frame, model=latest, n_boot=50)  # the interval is not used here
    old_score = _headline_metric(current)
    if new is None or old_score is None or new[0] != old_score[0]:
        return {"latest": False, "reason": f"no common metric to compare; {_KEPT}"}
    seen = set(latest.card.get("training_data", {}).get("consultations", [])) & set(frame["consultation_id"].astype(str))
    caveat = (f"; latest was trained on {', '.join(sorted(seen))}, so its score here is optimistic" if seen else "")
    better = new[1] >= old_score[1]
    verdict = "new model is latest" if better else "latest kept"
    return {"latest": better, "metric": f"{new[0]} macro-F1", "new": new[1], "current": old_score[1],
            "reason": f"{new[0]} macro-F1 on these {len(frame)} rows: new {new[1]:.3f} (cross-validated) vs latest "
                      f"{old_score[1]:.3f} (fitted model tested on them){caveat}: {verdict}"}
