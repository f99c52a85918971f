# Reference values for tests/eval/test_calibration_reference.cpp, printed as
# C++ literals. Run with Debian's python3 (scipy 1.10.1, numpy 1.24.2; no
# scikit-learn, so its definitions are written out with numpy below):
#   /usr/bin/python3 tests/eval/make_calibration_reference.py
import numpy as np
from scipy import optimize, special

rng = np.random.default_rng(20)
n = 40
true_margin = rng.normal(0, 3, n)
y = (rng.uniform(size=n) < special.expit(true_margin)).astype(int)
m = np.round(2.5 * true_margin, 3)  # overconfident: margins 2.5 times too large
print("const std::vector<std::int64_t> kTruth{" + ", ".join(str(v) for v in y) + "};")
print("const std::vector<double> kMargin{" + ", ".join(repr(float(v)) for v in m) + "};")

def r(x): return repr(float(x))

# sklearn.calibration.calibration_curve(strategy="uniform", n_bins=15)'s bins;
# ECE weighted by bin counts.
def ece(p, bins=15):
    edges = np.linspace(0.0, 1.0, bins + 1)
    ids = np.searchsorted(edges[1:-1], p, side="right")
    total = 0.0
    for b in range(bins):
        sel = ids == b
        if sel.any(): total += sel.sum() * abs(y[sel].mean() - p[sel].mean())
    return total / len(p)

p = special.expit(m)
print("ece uncalibrated:", r(ece(p)))
# Temperature: the root of d NLL / d(1/T) = mean((expit(beta m) - y) m).
beta = optimize.brentq(lambda b: np.mean((special.expit(b * m) - y) * m), 1e-2, 1e2, xtol=1e-15, rtol=1e-15)
t = 1 / beta
print("temperature:", r(t))
nll = lambda T: np.mean(np.logaddexp(0, -m / T) * y + np.logaddexp(0, m / T) * (1 - y))
bounded = optimize.minimize_scalar(nll, bounds=(1e-2, 1e2), method="bounded", options={"xatol": 1e-10})
print("nll at temperature:", r(nll(t)), " minimize_scalar agrees:", r(bounded.x))
pc = special.expit(m / t)
print("ece calibrated:", r(ece(pc)))
# Operating points on the calibrated probabilities, from the ROC's thresholds.
order = np.argsort(-pc, kind="stable")
thr = np.unique(pc)[::-1]
tpr = np.array([((pc >= s) & (y == 1)).sum() / (y == 1).sum() for s in thr])
fpr = np.array([((pc >= s) & (y == 0)).sum() / (y == 0).sum() for s in thr])
print("threshold for sensitivity 0.95:", r(thr[np.argmax(tpr >= 0.95)]))
print("youden threshold:", r(thr[np.argmax(tpr - fpr)]))  # argmax: the first, i.e. highest, maximum
