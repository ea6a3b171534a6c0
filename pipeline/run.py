"""`pubcom run`: the whole job on the embedded default, as a composition of the real stages."""
from __future__ import annotations

from pathlib import Path

from . import config
from ._io import write_csv, write_json


def run(root: Path | str | None = None, *, cv="loo", say=print) -> dict:
    """ingest data/raw -> join labels -> cross-validate -> train -> score -> report; returns the paths and metrics."""
    from .evaluate import evaluate, headline
    from .ingest import ingest
    from .registry import save_model
    from .report import build_report
    from .report_folder import default_folder
    from .score import read_input, score_frame
    from .train import _standard, join_labels, train

    paths = config.project_paths(root)
    document, records_path, meta_path = ingest(paths["raw"] / config.DEFAULT_DOCUMENT.name, paths["processed"])
    rec = document.meta["reconciliation"]
    say(f"ingest: {rec['rows_found']} rows, {rec['opinions_counted']} opinions "
        f"(declared {document.meta['declared'].get('opinions', '?')}) -> {records_path}")
    for mismatch in rec["mismatches"]:
        say(f"warning: {mismatch['message']}")
    labelled = _standard(join_labels(document.records, paths["raw"] / config.DEFAULT_LABELS.name))
    write_csv(paths["processed"] / f"{document.consultation_id}.labelled.csv", labelled)
    _check_modifications(labelled, document.meta.get("declared", {}), say)

    metrics = evaluate(labelled, cv=cv)
    write_json(paths["reports"] / "metrics.json", metrics)
    say(headline(metrics))
    model = train(labelled, metrics=metrics)
    model_dir = save_model(model, paths["models"])
    say(f"train: model {model_dir.name} -> {model_dir} (models/latest)")
    heldout = _heldout(model, labelled, paths, say)

    scored_paths = []
    for name, frame in (("otaru", document.records), ("unseen", _unseen(paths, read_input))):
        if frame is None:
            continue
        scored = score_frame(model, frame, response_column="response" if "response" in frame.columns else None)
        target = paths["reports"] / f"{name}.scored.csv"
        write_csv(target, scored)
        scored_paths.append(target)
        say(f"score: {len(scored)} rows, {int(scored['needs_review'].sum())} flagged for review -> {target}")
    folder = default_folder(paths["reports"], [p.name.split(".")[0] for p in scored_paths])
    written = build_report(scored_paths, folder, taxonomy=model.taxonomy, training=labelled, replace=True)
    say(f"report: {written.get('summary_html')}")
    files = [records_path, meta_path, paths["reports"] / "metrics.json", model_dir, *scored_paths,
             *(p for p in [paths["reports"] / "metrics-heldout.json"] if heldout is not None), *written.values()]
    say("written:\n" + "\n".join(f"  {f}" for f in files))
    return {"records": records_path, "meta": meta_path, "model": model_dir, "scored": scored_paths,
            "report": written, "metrics": metrics, "heldout": heldout}


def _heldout(model, labelled, paths, say) -> dict | None:
    """The trained model on the independent held-out set: opinions and replies written for other, imaginary
    municipalities by an author who saw only the labelling guide (never the keywords, examples or Otaru rows).
    Not real data: a check of how the model carries over to other towns' wording, reported on its own."""
    from .evaluate import evaluate_model, headline, heldout_baselines
    from .train import default_examples, read_labelled

    source = paths["raw"] / config.DEFAULT_HELDOUT.name
    if not source.exists():
        return None
    frame = read_labelled([source])
    metrics = evaluate_model(model, frame, n_boot=1000)
    metrics["theme"]["baselines"] = heldout_baselines(labelled, frame, model.taxonomy, default_examples(model.taxonomy))
    write_json(paths["reports"] / "metrics-heldout.json", metrics)
    say(headline({**metrics, "cv": f"held-out {source.name}"}))
    return metrics


def _unseen(paths, read_input):
    sample = paths["raw"] / config.DEFAULT_UNSEEN.name
    return read_input(sample) if sample.exists() else None


def _check_modifications(labelled, declared: dict, say) -> None:
    """The document declares how many opinions changed the draft; the labels' `adopted` count should agree."""
    if "modifications" not in declared:
        return
    adopted = int((labelled["response_type"] == "adopted").sum())
    if adopted != declared["modifications"]:
        say(f"warning: the document declares {declared['modifications']} modifications; the labels have {adopted} adopted")
