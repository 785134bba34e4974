"""Linear models as plain JSON: trained with scikit-learn, scored with a sum of weights (issue 12).

A multinomial logistic regression over sparse binary features is a table feature → class → weight. Keeping
only that table (rounded, small weights dropped) makes a small, readable, deterministic file that needs no
library and no pickle at run time: loading it runs no code.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable


def fit(X: list[Iterable[str]], y: list[str], C: float = 1.0, class_weight: str | None = None,
        min_weight: float = 0.01) -> dict[str, Any]:
    """Fit a logistic regression on feature sets ``X`` with labels ``y``; return the JSON-able model."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer()
    Xm = vec.fit_transform([{f: 1 for f in feats} for feats in X])
    clf = LogisticRegression(C=C, max_iter=3000, class_weight=class_weight)
    clf.fit(Xm, y)
    classes = [str(c) for c in clf.classes_]
    if len(classes) == 2:
        coef = [-clf.coef_[0], clf.coef_[0]]
        intercept = [-clf.intercept_[0], clf.intercept_[0]]
    else:
        coef, intercept = list(clf.coef_), list(clf.intercept_)
    weights: dict[str, dict[str, float]] = {}
    for fi, name in enumerate(vec.get_feature_names_out()):
        for ci, c in enumerate(classes):
            w = float(coef[ci][fi])
            if abs(w) >= min_weight:
                weights.setdefault(str(name), {})[c] = round(w, 3)
    return {"classes": classes, "bias": {c: round(float(b), 4) for c, b in zip(classes, intercept)},
            "weights": weights, "examples": len(y)}


def probabilities(model: dict[str, Any], feats: Iterable[str], classes: list[str] | None = None) -> dict[str, float]:
    """The model's probability of each class (of ``classes``, renormalised) for a feature set."""
    classes = classes or model["classes"]
    weights = model["weights"]
    scores = {c: model["bias"].get(c, 0.0) for c in classes}
    for f in set(feats):
        row = weights.get(f)
        if row:
            for c in classes:
                scores[c] += row.get(c, 0.0)
    top = max(scores.values())
    exp = {c: math.exp(s - top) for c, s in scores.items()}
    total = sum(exp.values())
    return {c: v / total for c, v in exp.items()}


@lru_cache(maxsize=None)
def load(path: str) -> dict[str, Any] | None:
    """A model file, read once per process; None when it is absent."""
    p = Path(path)
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None


def dump(model: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8")
