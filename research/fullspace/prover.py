"""Recursive prover of  Q = R^V  for a masked part (units, V).

A problem is (units, V): units = tuple of (R, C) frozensets (a multiset: repeated
rectangles = multiplicity), V = frozenset of visible cells.
Q(units, V) = { pi_V( sum_k x_k y_k^T ) : supp x_k in R_k, supp y_k in C_k }.
full(units, V) returns a proof tree (nested tuples) if it proves Q = R^V, else None.
Every rule is one of the lemmas of research/fullspace/README.md:
  L0 trimming / uncovered cell / empty V
  L1 direct sum (parts)                              [iff]
  L2 complete class absorption                        [iff]
  L3 Hall (fixed-side linear surjectivity)            [sufficient]
  L4 group absorption                                 [iff, given the group is full]
  L5 pivot row / pivot column                         [sufficient]
  L6 restriction (monotonicity)                       [sufficient]
  L7 rank-gap (affine determinant)                    [sufficient]
"""
from collections import Counter
from functools import lru_cache
from itertools import combinations
import networkx as nx

def fs(x):
    return frozenset(x)

def norm(units, V):
    """L0: drop rows/cols of a unit without visible cells; drop invisible units."""
    out = []
    for R, C in units:
        R2 = fs(i for i in R if any((i, j) in V for j in C))
        C2 = fs(j for j in C if any((i, j) in V for i in R2))
        R2 = fs(i for i in R2 if any((i, j) in V for j in C2))
        if R2 and C2:
            out.append((R2, C2))
    out.sort(key=lambda u: (sorted(u[0]), sorted(u[1])))
    return tuple(out), fs(V)

def cells(u, V):
    R, C = u
    return fs((i, j) for i in R for j in C if (i, j) in V)

def hall(units, V, side):
    """L3. side 'x': fix X generic; column j solvable iff rows V_j can be matched
    injectively to units covering (i, j)."""
    lines = {}
    for (i, j) in V:
        key, other = (j, i) if side == 'x' else (i, j)
        lines.setdefault(key, []).append(other)
    for key, others in lines.items():
        G = nx.Graph()
        for o in others:
            G.add_node(('c', o))
            for k, (R, C) in enumerate(units):
                if (side == 'x' and o in R and key in C) or (side == 'y' and o in C and key in R):
                    G.add_edge(('c', o), ('u', k))
        M = nx.bipartite.maximum_matching(G, top_nodes=[('c', o) for o in others])
        if sum(1 for o in others if ('c', o) in M) < len(others):
            return False
    return True

STATS = Counter()

def full(units, V, depth=0):
    units, V = norm(units, V)
    return _full(units, V, depth)

@lru_cache(maxsize=None)
def _full(units, V, depth):
    if not V:
        return ('empty',)
    cov = set()
    for u in units:
        cov |= cells(u, V)
    if cov != set(V):
        return None                       # an uncovered visible cell: Q is not full
    # L1 direct sum
    G = nx.Graph(); G.add_nodes_from(range(len(units)))
    owner = {}
    for k, u in enumerate(units):
        for c in cells(u, V):
            owner.setdefault(c, []).append(k)
    for ks in owner.values():
        for a in ks[1:]:
            G.add_edge(ks[0], a)
    comps = list(nx.connected_components(G))
    if len(comps) > 1:
        subs = []
        for comp in comps:
            us = [units[k] for k in comp]
            W = fs(c for k in comp for c in cells(units[k], V))
            p = full(us, W, depth)
            if p is None:
                return None
            subs.append(p)
        return ('directsum', subs)
    # L2 complete class
    cnt = Counter(units)
    for u, mu in cnt.items():
        if mu >= min(len(u[0]), len(u[1])):
            rest = list(units)
            for _ in range(mu):
                rest.remove(u)
            p = full(rest, V - cells(u, V), depth)
            return ('absorb', u, mu, p) if p is not None else None
    # L3 Hall
    for side in 'xy':
        if hall(units, V, side):
            return ('hall', side)
    if depth > 6:
        return None
    # L4 group absorption (proper subgroups of size >= 2, as distinct index sets)
    n = len(units)
    for size in range(2, n):
        for grp in combinations(range(n), size):
            gu = [units[k] for k in grp]
            W = fs(c for u in gu for c in cells(u, V))
            rest = [units[k] for k in range(n) if k not in grp]
            pr = full(rest, V - W, depth + 1)
            if pr is None:
                continue
            pg = full(gu, W, depth + 1)
            if pg is not None:
                return ('group', grp, pg, pr)
    # L5 pivot
    for k, u in enumerate(units):
        for side in 'rc':
            p = pivot(units, V, k, side, depth)
            if p is not None:
                return p
    # L5b pivot elimination
    for k, u in enumerate(units):
        for side in 'rc':
            p = elim(units, V, k, side, depth)
            if p is not None:
                return p
    # L7 rank gap
    p = rankgap(units, V, depth)
    if p is not None:
        return p
    # L6 restriction: drop one row or one column of one unit
    for k, (R, C) in enumerate(units):
        for i in R:
            nu = units[:k] + ((R - {i}, C),) + units[k + 1:]
            p = full(nu, V, depth + 1)
            if p is not None:
                return ('restrict', k, 'row', i, p)
        for j in C:
            nu = units[:k] + ((R, C - {j}),) + units[k + 1:]
            p = full(nu, V, depth + 1)
            if p is not None:
                return ('restrict', k, 'col', j, p)
    return None

def transpose(units, V):
    return tuple((C, R) for R, C in units), fs((j, i) for i, j in V)

def pivot(units, V, k, side, depth):
    """L5 (row version; side 'c' = column version by transposition)."""
    if side == 'c':
        tu, tV = transpose(units, V)
        p = pivot(tu, tV, k, 'r', depth)  # proof tree refers to transposed problem
        return None if p is None else (p[0], 'c') + p[2:]
    R, C = units[k]
    for i in sorted(R):
        E = fs(j for j in C if (i, j) in V)
        if not E:
            continue
        # E must be covered only by unit k (no other unit covers (i, j), j in E)
        if any(i in R2 and (E & C2) for m, (R2, C2) in enumerate(units) if m != k):
            continue
        ZV = V - {(i, j) for j in E}
        # zero case: x_k[i] = 0
        zu = units[:k] + ((R - {i}, C),) + units[k + 1:]
        pz = full(zu, ZV, depth + 1)
        if pz is None:
            continue
        rest = units[:k] + units[k + 1:]
        ok = True; subs = []
        for j in sorted(E):
            Zj = fs((r, j) for r in R if r != i and (r, j) in ZV)
            pn = nonzero_case(rest, ZV, Zj, depth)
            if pn is None:
                ok = False; break
            subs.append((j, pn))
        if ok:
            return ('pivot', side, k, i, pz, subs)
    return None

def nonzero_case(rest, V, Z, depth):
    """Need: every B on V with B|Z = 0 is in Q(rest, V)."""
    if not Z:
        return full(rest, V, depth + 1)
    p = full(rest, V, depth + 1)
    if p is not None:
        return ('fullrest', p)
    # restrict each unit to avoid Z: drop (rows meeting Z) or (cols meeting Z)
    opts = []
    for R, C in rest:
        zc = [(r, c) for (r, c) in Z if r in R and c in C]
        if not zc:
            opts.append([(R, C)])
        else:
            rows = {r for r, c in zc}; cols = {c for r, c in zc}
            opts.append([(R - rows, C), (R, C - cols)])
    from itertools import product
    for choice in product(*opts):
        p = full(list(choice), V - Z, depth + 1)
        if p is not None:
            return ('avoid', choice, p)
    return None

def rankgap(units, V, depth):
    """L7: a class (S, mu) with S = all rows x all cols of V, V = full rectangle,
    plus the rest; see REPORT (rank-gap lemma)."""
    return None


def elim(units, V, k, side, depth):
    """L5b pivot elimination (row version; 'c' = transposed)."""
    if side == 'c':
        tu, tV = transpose(units, V)
        p = elim(tu, tV, k, 'r', depth)
        return None if p is None else (p[0], 'c') + p[2:]
    R, C = units[k]
    for i in sorted(R):
        Vi = fs(j for (r, j) in V if r == i)
        if not Vi or not Vi <= C:
            continue
        others = [m for m in range(len(units)) if m != k and i in units[m][0]]
        Rrest = sorted(R - {i})
        for size in range(1, len(Rrest) + 1):
            for Rp in combinations(Rrest, size):
                Rp = fs(Rp)
                new = []
                for m, (Rm, Cm) in enumerate(units):
                    if m == k:
                        if C - Vi and len(Rp) == 1:
                            new.append((Rp, C - Vi))
                        continue
                    if i not in Rm:
                        new.append((Rm, Cm)); continue
                    D = Rp - Rm
                    if Cm <= Vi and len(D) <= 1:
                        new.append(((Rm - {i}) | D, Cm))
                    else:
                        new.append((Rm - {i}, Cm))   # x_m[i] = 0
                W = fs(c for c in V if c[0] != i)
                p = full(new, W, depth + 1)
                if p is not None:
                    return ('elim', side, k, i, tuple(sorted(Rp)), p)
    return None
