"""Canary vs baseline: Mann-Whitney U (scipy) plus an effect-size tolerance and a variance check.

The test says whether the two samples differ; the effect (relative change of the
median) says whether the difference is big enough to matter; both must agree before
the canary is called ``high`` or ``low``. scipy is imported only when a comparison runs.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass

from maestro_ci.jobs.health_model import Compare


@dataclass(frozen=True)
class Comparison:
    classification: str  # pass | high | low | no data
    canary_n: int
    baseline_n: int
    canary_median: float | None = None
    baseline_median: float | None = None
    effect: float | None = None  # relative change of the median
    u: float | None = None
    p_value: float | None = None
    variance_ratio: float | None = None
    noisier: bool = False
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if v is not None and v != ""}

    def bad(self, direction: str) -> bool:
        if self.noisier:
            return True
        if self.classification == "high":
            return direction in ("increase", "either")
        if self.classification == "low":
            return direction in ("decrease", "either")
        return False


def _finite(values: list[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


def compare(canary: list[float], baseline: list[float], spec: Compare) -> Comparison:
    can, base = _finite(canary), _finite(baseline)
    if len(can) < spec.min_samples or len(base) < spec.min_samples:
        return Comparison(
            "no data",
            len(can),
            len(base),
            note=f"needs at least {spec.min_samples} finite samples on each side",
        )
    from scipy.stats import mannwhitneyu

    test = mannwhitneyu(can, base, alternative="two-sided")
    u, p = float(test.statistic), float(test.pvalue)
    med_c, med_b = statistics.median(can), statistics.median(base)
    if med_b != 0:
        effect = (med_c - med_b) / abs(med_b)
    else:
        effect = 0.0 if med_c == 0 else math.copysign(math.inf, med_c)
    significant = not math.isnan(p) and p < spec.alpha
    classification = "pass"
    if significant and abs(effect) > spec.tolerance:
        classification = "high" if effect > 0 else "low"
    var_c, var_b = statistics.pvariance(can), statistics.pvariance(base)
    ratio = var_c / var_b if var_b > 0 else (1.0 if var_c == 0 else math.inf)
    noisier = ratio > spec.max_variance_ratio
    note = f"canary variance is {ratio:.3g}x the baseline's" if noisier else ""
    return Comparison(classification, len(can), len(base), med_c, med_b, effect, u, p, ratio, noisier, note)
