"""What the study's scripts share: one thread for the numeric libraries (set before numpy loads,
so import this module first), where outputs go, where the data is, and the sets with their
horizons."""
import os
from pathlib import Path

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_variable] = "1"

OUT = os.environ.get("OMO_STUDY_OUT", "target/ets-study")
DATA = str(Path(__file__).resolve().parents[3].parent / "shared" / "data")
os.makedirs(OUT, exist_ok=True)
M = 12
SETS = {"tourism_monthly": 24, "m1_monthly": 18}
