import time, numpy as np, scipy.sparse as sp, faulthandler, sys
faulthandler.dump_traceback_later(60, exit=True)
from closure_check.core.support import ChainSupport
from closure_check.decide import check
rng = np.random.default_rng(0)
def mask(o,i,d=0.1): return sp.csr_array((rng.random((o,i))<d).astype(np.int8))
W1,W2,W3 = mask(1024,784), mask(1024,1024), mask(10,1024)
for name, c in [("pair21", ChainSupport((W2,W1))), ("chain", ChainSupport((W3,W2,W1)))]:
    t=time.time(); r = check(c, budget=0); print(name, r.verdict, time.time()-t, r.reasons[:2], r.undecided[:2] if r.undecided else None, flush=True)
