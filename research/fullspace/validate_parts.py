import json, sys, random
sys.path.insert(0,str(__import__('pathlib').Path(__file__).parent))
from fractions import Fraction as Fr
from prover import full, fs
from construct import solve, verify
parts=json.load(open(__import__('pathlib').Path(__file__).with_name('parts.json')))
rng=random.Random(1)
for k,p in enumerate(parts):
    units=[(fs(R),fs(C)) for R,C in p['units']]; V=fs(map(tuple,p['V']))
    if not full(units,V): print(k,'not proved'); continue
    bad=0; N=3000
    for t in range(N):
        dens=rng.random()
        A={c:(Fr(rng.choice([-2,-1,1,2,3])) if rng.random()<dens else Fr(0)) for c in V}
        try:
            F=solve(units,V,A)
            ok=verify(units,V,A,F)
        except Exception as e:
            ok=False; err=repr(e)
        if not ok:
            bad+=1
            if bad<3: print('  FAIL',k,A, err if 'err' in dir() else '')
    print(k,'ok' if bad==0 else 'BAD %d/%d'%(bad,N), flush=True)
