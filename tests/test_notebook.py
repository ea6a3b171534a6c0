"""The exploration notebook runs top to bottom on the embedded data, in a fresh project root with no model yet.

The kernel is this test's own interpreter (`sys.executable`), declared in a kernelspec written to a temporary
folder: a `python3` kernelspec elsewhere on the machine (user-wide, system-wide) could point at another Python
without the package or its dependencies.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "1.0-theme-distribution.ipynb"
KERNEL = "pubcom-test-python"


def this_python_kernel(folder: Path) -> KernelManager:
    spec = folder / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "pubcom test", "language": "python"}), encoding="utf-8")
    return KernelManager(kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(folder)]))


def test_notebook_is_committed_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(not cell.outputs and cell.execution_count is None for cell in code)


def test_notebook_runs_on_the_embedded_data(tmp_path, monkeypatch):
    home = tmp_path / "project"
    shutil.copytree(ROOT / "data" / "raw", home / "data" / "raw")
    monkeypatch.setenv("PUBCOM_HOME", str(home))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(notebook, km=this_python_kernel(tmp_path / "kernels"), timeout=300,
                            resources={"metadata": {"path": str(home)}})
    client.execute()  # raises CellExecutionError, with the cell and traceback, when any cell fails

    assert (home / "models" / "latest" / "card.json").exists()  # no model existed: the notebook trained one
    assert (home / "reports" / "summary.html").exists() and (home / "reports" / "comparison.png").exists()
    outputs = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    images = [out for out in outputs if "image/png" in out.get("data", {})]
    assert len(images) == 3  # theme distribution, comparison, heatmap
    text = "\n".join(str(out.get("data", {}).get("text/plain", "")) + out.get("text", "") for out in outputs)
    assert "otaru: " in text and "rows to review" in text
    assert "マイナンバーカード・本人確認" in text and "カード" in text  # labels and a learnt term of that theme
