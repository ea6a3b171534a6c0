"""pubcom-pipeline: offline classification of Japanese public-consultation opinions and replies.

The public API (also what the notebook uses)::

    import pipeline
    model = pipeline.load_model()                 # models/latest, verified
    scored = model.score(["マイナンバーカードの手続をオンラインで"])
    records = pipeline.read_records("data/processed/otaru-dx-policy-comments.records.csv")
"""
from __future__ import annotations

from importlib import import_module

from ._version import __version__

# name -> module: imported on first use, so that `import pipeline` (and the CLI's start) stays light
_EXPORTS = {
    "read_document": "pipeline.ingest",
    "write_document": "pipeline.ingest",
    "read_records": "pipeline.ingest",
    "load_taxonomy": "pipeline.taxonomy",
    "normalize": "pipeline.normalize",
    "JapaneseTokenizer": "pipeline.tokenizer",
    "TaxonomyClassifier": "pipeline.models",
    "read_labelled": "pipeline.train",
    "train": "pipeline.train",
    "PubcomModel": "pipeline.train",
    "evaluate": "pipeline.evaluate",
    "load_model": "pipeline.registry",
    "save_model": "pipeline.registry",
    "list_models": "pipeline.registry",
    "score_frame": "pipeline.score",
    "ReplySuggester": "pipeline.suggest",
    "read_answered": "pipeline.suggest",
    "run": "pipeline.run",
    "build_report": "pipeline.report",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
