"""The tour notebook runs headless from top to bottom, and shows what it promises."""
import pathlib

import pytest

NOTEBOOK = pathlib.Path(__file__).resolve().parents[2] / "examples" / "python" / "omo_tour.ipynb"


def test_the_tour_notebook_runs_and_shows_its_results():
    nbformat = pytest.importorskip("nbformat", reason="pip install nbclient nbformat ipykernel matplotlib")
    nbclient = pytest.importorskip("nbclient", reason="pip install nbclient nbformat ipykernel matplotlib")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    data = [o.get("data", {}) for o in outputs]
    assert any("image/png" in d for d in data), "the forecast plot is missing"
    html = "".join(d.get("text/html", "") for d in data)
    assert "Scorecard, " in html and "border-radius:50%" in html, "the scorecard lights are missing"
    assert "blocked" in html or "approved" in html, "the credit decision is missing"
