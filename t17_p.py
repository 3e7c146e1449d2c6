import time, sys
from closure_check.io.masks import read_masks
from closure_check.networks.masks import mask_report
t=time.time(); m = read_masks(sys.argv[1]); print("read", time.time()-t)
for b in (0.0,):
    t=time.time(); r = mask_report(m, relu=True, budget=b); print("budget", b, time.time()-t, r.chain.verdict, [p.result.verdict.value for p in r.pairs])
