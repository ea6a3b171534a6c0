"""`pubcom train`, `evaluate`, `run`, `models`, `taxonomy`, `compare`: models and their metrics."""
from __future__ import annotations

import sys
from pathlib import Path

from ..errors import PubcomError
from . import add_table_options
from . import say as _say
from . import tell


# ---------------------------------------------------------------- train / evaluate
def _add_label_inputs(p) -> None:
    p.add_argument("inputs", nargs="*", type=Path, metavar="INPUT",
                   help="labelled tables (CSV / XLSX) or documents with --labels (default: the embedded Otaru data)")
    p.add_argument("--labels", type=Path, default=None, help="labels file joined to ingested records on row_no")
    p.add_argument("--taxonomy", type=Path, default=None, help="taxonomy TOML (default: the packaged dx-ja)")
    add_table_options(p, "sheet", "text-column", "response-column", "theme-column", "response-type-column")


def _labelled(args):
    from ..train import read_labelled

    return read_labelled(args.inputs, labels=args.labels, text_column=args.text_column,
                         response_column=args.response_column, theme_column=args.theme_column,
                         response_type_column=args.response_type_column, sheet=args.sheet)


def _add_train(sub) -> None:
    p = sub.add_parser("train", help="train a model folder from labelled data plus the taxonomy")
    _add_label_inputs(p)
    p.add_argument("--out", type=Path, default=None, help="models folder (default: models/)")
    p.add_argument("--cv", default="5", help="cross-validation for the card's metrics: loo or K (default: 5)")
    p.add_argument("--force", action="store_true", help="make the new model latest even if it scores below the current one")
    p.set_defaults(func=_cmd_train)


def _cmd_train(args) -> int:
    from .. import config
    from ..compare import promotion, read_latest
    from ..evaluate import evaluate
    from ..registry import save_model
    from ..taxonomy import load_taxonomy
    from ..train import label_ids, train

    taxonomy = load_taxonomy(args.taxonomy)
    labelled = _labelled(args)
    for source, used, total in labelled.attrs.get("review_sheets", []):
        tell(f"{source}: {used} of {total} rows marked 確認済み are used; the other {total - used} are left out")
    frame = label_ids(labelled, taxonomy)
    # the current latest is read before the work (--force never needs it); one that cannot be read is kept
    # as it is, and the new model is still saved
    latest, unreadable = (None, "") if args.force else read_latest(args.out or config.MODELS_DIR)
    metrics = evaluate(frame, taxonomy=taxonomy, cv=args.cv, n_boot=200)
    model = train(frame, taxonomy=taxonomy, metrics=metrics)
    decision = promotion(metrics, taxonomy, latest, frame, force=args.force, unreadable=unreadable)
    model.card["promotion"] = decision
    model_dir = save_model(model, args.out, point_latest=decision["latest"])
    theme = metrics.get("theme", {})
    unlabelled = int(((frame["theme"] == "") & (frame["response_type"] == "")).sum())
    tell(f"read {len(frame)} rows: trained on {len(frame) - unlabelled}"
          f"{f', {unlabelled} without a theme or response type (not used)' if unlabelled else ''} "
          f"(+{model.card['training_data']['authored_examples']} authored examples); "
          f"cross-validated theme macro-F1 {theme.get('macro_f1', float('nan')):.2f} -> {model_dir}")
    tell(f"latest: {'now ' + model_dir.name if decision['latest'] else 'unchanged'} ({decision['reason']})")
    return 0


def _add_evaluate(sub) -> None:
    p = sub.add_parser("evaluate", help="cross-validate (or test a fitted model) with baselines and intervals")
    _add_label_inputs(p)
    p.add_argument("--cv", default="loo", help="loo or a number of folds (default: loo)")
    p.add_argument("--model", type=Path, default=None, help="test this fitted model instead of cross-validating")
    p.add_argument("--group-column", default=None, help="keep rows sharing this column's value in one fold")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON (also written to reports/metrics.json)")
    p.set_defaults(func=_cmd_evaluate)


def _cmd_evaluate(args) -> int:
    import json

    from .. import config
    from .._io import write_json
    from ..evaluate import evaluate
    from ..registry import load_model

    model = load_model(args.model) if args.model else None
    metrics = evaluate(_labelled(args), taxonomy=args.taxonomy, cv=args.cv, model=model, group_column=args.group_column)
    write_json(config.REPORTS_DIR / "metrics.json", metrics)
    if args.json:
        print(json.dumps(metrics, ensure_ascii=False, indent=2))
        return 0
    from ..evaluate import headline
    from ..targets import ESTIMATORS

    tell(headline(metrics))
    for key in ESTIMATORS:
        if metrics.get(key, {}).get("baselines"):  # a fitted model's test (--model) has none: the headline says all
            tell(_versus_baselines(key, metrics[key]))
    if "bins" in metrics.get("theme", {}).get("calibration", {}):
        tell(_calibration_line(metrics["theme"]["calibration"], metrics.get("needs_review", {})))
    if "leave_one_consultation_out" in metrics:
        tell(f"  held-out rounds (leave one consultation out): {headline(metrics['leave_one_consultation_out'])}")
    tell(f"written: {config.REPORTS_DIR / 'metrics.json'}")
    return 0


def _calibration_line(block: dict, rule: dict) -> str:
    """The theme scores' calibration on the real rows (ECE, reliability bins) and what the review rule does there."""
    # numbers only in the bins: the words are the template's, so the line is read whole in either language
    bins = " ".join(f"[{b['from']:.1f}-{b['to']:.1f}] n={b['n']} {b['mean_confidence']:.2f}/{b['accuracy']:.2f}"
                    for b in block["bins"])
    applied = block.get("review_rule_on_these_rows", {})
    accepted = applied.get("accepted_accuracy")
    return (f"  theme calibration (out-of-fold, real rows): ECE {block['ece']:.3f}, temperature {block['temperature']}; "
            f"auto-accepted {applied.get('auto_accepted', 0):.0%} at accuracy "
            f"{'-' if accepted is None else f'{accepted:.2f}'} (threshold {rule.get('threshold', 0.5):.3f}); "
            f"reliability (confidence/accuracy) {bins}")


# metrics key -> what a reader should call it; the plain TF-IDF + linear model is the one to beat, so it comes first
BASELINE_NAMES = {"no_taxonomy": "plain TF-IDF + LR", "keywords_only": "taxonomy alone (no examples)",
                  "majority": "majority class"}


def _versus_baselines(key: str, block: dict) -> str:
    """One line: the model's macro-F1 beside each baseline's on the same folds (the names in the reader's language)."""
    from ..i18n import _

    baselines = block["baselines"]
    order = sorted(baselines, key=lambda name: name != "no_taxonomy")
    versus = ", ".join(f"{_(BASELINE_NAMES.get(name, name))} {baselines[name]['macro_f1']:.2f}" for name in order)
    return f"  {key}: macro-F1 model {block['macro_f1']:.2f} vs {versus} (same folds)"


# ---------------------------------------------------------------- run / models
def _add_run(sub) -> None:
    p = sub.add_parser("run", help="the whole job on the embedded default: ingest, train, evaluate, score, report")
    p.add_argument("--cv", default="loo", help="cross-validation: loo or K (default: loo)")
    p.set_defaults(func=_cmd_run)


def _cmd_run(args) -> int:
    from ..run import run

    run(cv=args.cv, say=tell)
    return 0


def _add_models(sub) -> None:
    p = sub.add_parser("models", help="list the model folders with their taxonomy, data size, metrics and date")
    p.set_defaults(func=_cmd_models)


def _cmd_models(args) -> int:
    from ..i18n import _
    from ..registry import list_models

    rows = list_models()
    if not rows:
        tell("no models yet (pubcom train)")
    for r in rows:
        if "error" in r:  # listed, and named, rather than hiding every other model
            _say(f"warning: {r['name']}: cannot be read: {r['error']}")
            continue
        f1 = "-" if not isinstance(r["theme_macro_f1"], (int, float)) else f"{r['theme_macro_f1']:.2f}"
        print(f"{'*' if r['latest'] else ' '} {r['name']:32} {r['taxonomy']:14} {_('rows=')}{r['rows']:<6} {_('theme-F1=')}{f1:5} {r['created']}")
    return 0


# ---------------------------------------------------------------- taxonomy / review-sheet / compare
def _add_taxonomy(sub) -> None:
    p = sub.add_parser("taxonomy", help="draft a taxonomy from labels (init) or from unlabelled opinions (discover); "
                                        "validate one (check)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="draft a taxonomy TOML from the labels of a labelled table")
    init.add_argument("--from-labels", type=Path, required=True, metavar="FILE", help="labelled CSV / XLSX")
    init.add_argument("--out", default="-", help="TOML file to write (default: - for stdout)")
    init.add_argument("--id", dest="taxonomy_id", default=None, help="taxonomy id (default: from the file name)")
    add_table_options(init, "sheet", "text-column", "theme-column")
    init.set_defaults(func=_cmd_taxonomy_init)
    check = actions.add_parser("check", help="validate a taxonomy TOML and print a one-line summary")
    check.add_argument("file", type=Path, metavar="FILE")
    check.set_defaults(func=_cmd_taxonomy_check)
    from .grouping import add_discover

    add_discover(actions)


def _cmd_taxonomy_init(args) -> int:
    from .._io import write_text
    from ..ingest.tables import read_table
    from ..taxonomy_draft import draft_taxonomy, sanitise_id

    frame = read_table(args.from_labels, sheet=args.sheet)
    taxonomy_id = args.taxonomy_id or sanitise_id(args.from_labels.stem.split(".")[0], set(), prefix="taxonomy")
    draft = draft_taxonomy(frame, taxonomy_id=taxonomy_id, text_column=args.text_column,
                           theme_column=args.theme_column, source=str(args.from_labels))
    if args.out == "-":
        sys.stdout.write(draft.text)
    else:
        write_text(args.out, draft.text)
        _say(f"written: {args.out}")
    if draft.renamed:
        pairs = ", ".join(f"{label} -> {ident}" for label, ident in draft.renamed.items())
        _say(f"note: {len(draft.renamed)} label(s) are not valid ids and got new ids ({pairs}); label_ja keeps each "
             "label, and labels files may keep using it")
    return 0


def _cmd_taxonomy_check(args) -> int:
    from ..taxonomy import load_taxonomy

    t = load_taxonomy(args.file)
    keywords = sum(len(theme.keywords) for theme in t.themes)
    phrases = sum(len(r.phrases) for r in t.response_types)
    tell(f"{args.file}: ok: {t.id} v{t.version}, {len(t.themes)} themes ({', '.join(t.theme_ids)}), {keywords} keywords, "
          f"{len(t.response_types)} response types ({', '.join(t.response_type_ids)}), {phrases} phrases")
    return 0


def _add_compare(sub) -> None:
    p = sub.add_parser("compare", help="test two models on the same labelled data; overall and per-class deltas")
    p.add_argument("model_a", type=Path, metavar="MODEL_A")
    p.add_argument("model_b", type=Path, metavar="MODEL_B")
    _add_label_inputs(p)
    p.set_defaults(func=_cmd_compare)


def _cmd_compare(args) -> int:
    from ..compare import compare_metrics, format_comparison
    from ..evaluate import evaluate
    from ..registry import load_model

    if not args.inputs:
        raise PubcomError("give the labelled data to test both models on (INPUT...)")
    frame = _labelled(args)
    a, b = load_model(args.model_a), load_model(args.model_b)
    deltas = compare_metrics(evaluate(frame, model=a, n_boot=200), evaluate(frame, model=b, n_boot=200))
    tell(f"both tested on the same {len(frame)} labelled rows (fitted models, no refitting); delta = B - A")
    for line in format_comparison(deltas, a.path.name, b.path.name):
        tell(line)
    return 0


BUILDERS = [_add_train, _add_evaluate, _add_run, _add_models, _add_taxonomy, _add_compare]
