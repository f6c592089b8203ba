"""The benchmark scripts' environment: a virtual environment at the repository root
(.venv-bench) with the peers they compare against and omo's wheel built from this tree."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-bench"


def ensure_venv(packages):
    """Re-runs the calling script inside .venv-bench, made with ``packages`` and omo's wheel
    when missing; returns at once when already inside it, or when ``--here`` says this
    interpreter has what the script needs."""
    if Path(sys.prefix) == VENV or "--here" in sys.argv:
        return
    if not (VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = str(VENV / "bin" / "pip")
    subprocess.run([pip, "install", "-q", *packages, "maturin>=1.16,<2"], check=True)
    subprocess.run([str(VENV / "bin" / "maturin"), "build", "--release", "-q", "-m", str(ROOT / "bindings-python/Cargo.toml"),
                    "-o", str(ROOT / "target/bench-wheels")], check=True)
    wheel = sorted((ROOT / "target/bench-wheels").glob("omo-*.whl"))[-1]
    subprocess.run([pip, "install", "-q", "--force-reinstall", "--no-deps", str(wheel)], check=True)
    os.execv(str(VENV / "bin" / "python"), [str(VENV / "bin" / "python"), *sys.argv])
