"""Cross-check prover.py on random small masked problems.
FULL claims: constructive replay (construct.py) on random A + all 0/1 A, exact verification.
not-FULL: look for a 0/1 target A with 1 in the Groebner ideal (=> A not in Q over C => not full)."""
import sys, random, itertools, time
sys.path.insert(0, str(__import__('pathlib').Path(__file__).parent)); 
from fractions import Fraction as Fr
import numpy as np
from prover import full, fs, _full
from construct import solve, verify
from closure_check.support import TwoFactorSupport
from closure_check.algebra.system import membership_system
from closure_check.algebra.nullstellensatz import groebner_contains_one

def rand_problem(rng):
    m, n = rng.choice([(2, 3), (3, 3), (3, 3), (3, 4)])
    r = rng.randint(2, 4)
    units = []
    for _ in range(r):
        R = fs(i for i in range(m) if rng.random() < 0.6) or fs([0])
        C = fs(j for j in range(n) if rng.random() < 0.6) or fs([0])
        units.append((R, C))
    cover = {(i, j) for R, C in units for i in R for j in C}
    V = fs(c for c in cover if rng.random() < 0.85)
    return m, n, units, V

def nonmember01(m, n, units, V, maxk=4):
    I = np.zeros((m, len(units)), int); J = np.zeros((n, len(units)), int)
    for k, (R, C) in enumerate(units):
        for i in R: I[i, k] = 1
        for j in C: J[j, k] = 1
    s = TwoFactorSupport.from_dense(I, J)
    hidden = [(i, j) for i in range(m) for j in range(n) if (i, j) not in V]
    cells = sorted(V)
    for k in range(1, min(maxk, len(cells)) + 1):
        for ch in itertools.combinations(cells, k):
            A = {c: Fr(1) for c in ch}
            if groebner_contains_one(membership_system(s, A, hidden)):
                return ch
    return None

rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
N = int(sys.argv[2]) if len(sys.argv) > 2 else 300
stats = dict(full=0, full_bad=0, notfull_cert=0, notfull_open=0, trivial=0)
t0 = time.time()
for t in range(N):
    m, n, units, V = rand_problem(rng)
    p = full(units, V)
    if p is not None:
        stats['full'] += 1
        As = [{c: Fr(v) for c, v in zip(sorted(V), bits)} for bits in itertools.product([0, 1], repeat=len(V))] if len(V) <= 9 else []
        for _ in range(150):
            d = rng.random()
            As.append({c: (Fr(rng.choice([-2, -1, 1, 2, 3])) if rng.random() < d else Fr(0)) for c in V})
        for A in As:
            try:
                ok = verify(units, V, A, solve(units, V, A))
            except Exception as e:
                ok = False
            if not ok:
                stats['full_bad'] += 1
                print('BAD', m, n, units, sorted(V), A, flush=True); break
    else:
        ch = nonmember01(m, n, units, V)
        if ch is not None:
            stats['notfull_cert'] += 1
        else:
            stats['notfull_open'] += 1
            print('OPEN', m, n, [(sorted(R), sorted(C)) for R, C in units], sorted(V), flush=True)
print(stats, round(time.time() - t0, 1))
