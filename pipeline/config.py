"""Project paths and defaults: every other module asks here, nothing else hard-codes a path."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The project root is the working copy that holds data/, models/ and reports/. PUBCOM_HOME overrides it, so an
# installed package (or a test in a temporary copy) can point at any folder.
PROJECT_ROOT = Path(os.environ.get("PUBCOM_HOME") or PACKAGE_DIR.parent).resolve()

DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
MODELS_DIR = PROJECT_ROOT / "models"
REPORTS_DIR = PROJECT_ROOT / "reports"

TAXONOMY_DIR = PACKAGE_DIR / "taxonomies"
DEFAULT_TAXONOMY = TAXONOMY_DIR / "dx-ja.toml"
DEFAULT_EXAMPLES = TAXONOMY_DIR / "dx-ja.examples.csv"

# The embedded default consultation (Otaru city, draft DX policy).
DEFAULT_DOCUMENT = RAW_DIR / "otaru-dx-policy-comments.txt"
DEFAULT_LABELS = RAW_DIR / "otaru-dx-policy-labels.csv"
DEFAULT_UNSEEN = RAW_DIR / "unseen-sample.csv"
# 144 labelled opinions written for other, imaginary municipalities, never used for training: see README
DEFAULT_HELDOUT = RAW_DIR / "dx-heldout-authored.csv"

RANDOM_STATE = 0
# `pubcom group`: estimated Jaccard of character 3-grams from which two texts are one opinion; chosen in
# benchmarks/grouping.py (results.md)
GROUP_THRESHOLD = 0.6

# pred_theme_2 names a second theme only when its calibrated probability reaches this: below it the opinion is
# read as having one theme. On a real ministry consultation (../shared/realdev, a third of whose opinions an analyst
# gave a second theme; out-of-fold, calibrated) 0.05 named a second theme for 41% of rows, and its F1 against the
# analyst's (0.50) was the best of 0 / 0.05 / 0.1 / 0.15 / 0.2; always naming one was right a quarter of the time.
SECOND_THEME_MIN = 0.05


def project_paths(root: Path | str | None = None) -> dict[str, Path]:
    """The derived-output folders for a project root (default: this one)."""
    base = Path(root).resolve() if root else PROJECT_ROOT
    return {
        "raw": base / "data" / "raw",
        "processed": base / "data" / "processed",
        "models": base / "models",
        "reports": base / "reports",
    }
