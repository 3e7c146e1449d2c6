"""Constructive replay of prover.py proofs: given a target A on V (Fractions),
build factors following the proof tree, then verify exactly.  A failure is a
soundness bug (or a lemma that is wrong)."""
import random
from fractions import Fraction as Fr
from itertools import combinations
import networkx as nx
import prover as P
from prover import fs, cells, transpose, _full

RNG = random.Random(12345)

def norm_perm(units, V):
    out = []
    for t, (R, C) in enumerate(units):
        R2 = fs(i for i in R if any((i, j) in V for j in C))
        C2 = fs(j for j in C if any((i, j) in V for i in R2))
        R2 = fs(i for i in R2 if any((i, j) in V for j in C2))
        if R2 and C2:
            out.append(((R2, C2), t))
    out.sort(key=lambda e: (sorted(e[0][0]), sorted(e[0][1])))
    return tuple(e[0] for e in out), [e[1] for e in out]

def product(units, F, V):
    M = {c: Fr(0) for c in V}
    for (R, C), (x, y) in zip(units, F):
        for i, xv in x.items():
            if xv == 0: continue
            for j, yv in y.items():
                if (i, j) in M:
                    M[(i, j)] += xv * yv
    return M

def check_supports(units, F):
    for (R, C), (x, y) in zip(units, F):
        assert all(i in R for i, v in x.items() if v != 0), 'x support'
        assert all(j in C for j, v in y.items() if v != 0), 'y support'

def solve(units, V, A, depth=0):
    units = tuple(units); V = fs(V)
    nu, perm = norm_perm(units, V)
    proof = _full(nu, V, depth)
    assert proof is not None, 'no proof'
    Fn = solve_normed(nu, V, A, depth, proof)
    out = [({}, {}) for _ in units]
    for t, f in zip(perm, Fn):
        out[t] = f
    return out

def linsolve(rows, rhs, ncols):
    """exact solution of an underdetermined consistent system (free vars = 0)."""
    M = [list(r) + [b] for r, b in zip(rows, rhs)]
    piv = []; r = 0
    for c in range(ncols):
        p = next((q for q in range(r, len(M)) if M[q][c] != 0), None)
        if p is None: continue
        M[r], M[p] = M[p], M[r]
        inv = 1 / M[r][c]; M[r] = [v * inv for v in M[r]]
        for q in range(len(M)):
            if q != r and M[q][c] != 0:
                f = M[q][c]; M[q] = [a - f * b for a, b in zip(M[q], M[r])]
        piv.append(c); r += 1
    for q in range(r, len(M)):
        if M[q][-1] != 0: return None
    sol = [Fr(0)] * ncols
    for q, c in enumerate(piv): sol[c] = M[q][-1]
    return sol

def T(units, V, A):
    return transpose(units, V)[0], transpose(units, V)[1], {(j, i): v for (i, j), v in A.items()}

def TF(F):
    return [(y, x) for x, y in F]

def solve_normed(units, V, A, depth, proof):
    tag = proof[0]
    if tag == 'empty':
        return [({}, {}) for _ in units]
    if tag == 'directsum':
        G = nx.Graph(); G.add_nodes_from(range(len(units))); owner = {}
        for k, u in enumerate(units):
            for c in cells(u, V): owner.setdefault(c, []).append(k)
        for ks in owner.values():
            for a in ks[1:]: G.add_edge(ks[0], a)
        F = [None] * len(units)
        for comp in nx.connected_components(G):
            comp = sorted(comp)
            W = fs(c for k in comp for c in cells(units[k], V))
            sub = solve([units[k] for k in comp], W, {c: A[c] for c in W}, depth)
            for k, f in zip(comp, sub): F[k] = f
        return F
    if tag == 'absorb':
        _, u, mu, _p = proof
        idx = [k for k, v in enumerate(units) if v == u][:mu]
        restk = [k for k in range(len(units)) if k not in idx]
        W = cells(u, V)
        sub = solve([units[k] for k in restk], V - W, {c: A[c] for c in V - W}, depth)
        F = [None] * len(units)
        for k, f in zip(restk, sub): F[k] = f
        prod = product([units[k] for k in restk], sub, W)
        Tg = {c: A[c] - prod[c] for c in W}
        R, C = sorted(u[0]), sorted(u[1])
        for t, k in enumerate(idx):
            if mu >= len(R):
                if t < len(R):
                    r = R[t]; F[k] = ({r: Fr(1)}, {j: Tg.get((r, j), Fr(0)) for j in C})
                else: F[k] = ({}, {})
            else:
                if t < len(C):
                    c = C[t]; F[k] = ({i: Tg.get((i, c), Fr(0)) for i in R}, {c: Fr(1)})
                else: F[k] = ({}, {})
        return F
    if tag == 'hall':
        side = proof[1]
        if side == 'y':
            tu, tV, tA = T(units, V, A)
            return TF(solve_hall(tu, tV, tA))
        return solve_hall(units, V, A)
    if tag == 'group':
        _, grp, pg, pr = proof
        gu = [units[k] for k in grp]
        W = fs(c for u in gu for c in cells(u, V))
        restk = [k for k in range(len(units)) if k not in grp]
        sub = solve([units[k] for k in restk], V - W, {c: A[c] for c in V - W}, depth + 1)
        prod = product([units[k] for k in restk], sub, W)
        subg = solve(gu, W, {c: A[c] - prod[c] for c in W}, depth + 1)
        F = [None] * len(units)
        for k, f in zip(restk, sub): F[k] = f
        for k, f in zip(grp, subg): F[k] = f
        return F
    if tag == 'pivot':
        side = proof[1]
        if side == 'c':
            tu, tV, tA = T(units, V, A)
            return TF(solve_pivot(tu, tV, tA, depth, proof))
        return solve_pivot(units, V, A, depth, proof)
    if tag == 'elim':
        side = proof[1]
        if side == 'c':
            tu, tV, tA = T(units, V, A)
            return TF(solve_elim(tu, tV, tA, depth, proof))
        return solve_elim(units, V, A, depth, proof)
    if tag == 'restrict':
        _, k, what, i, _p = proof
        R, C = units[k]
        nu = units[:k] + (((R - {i}, C) if what == 'row' else (R, C - {i})),) + units[k + 1:]
        return solve(nu, V, A, depth + 1)
    raise ValueError(tag)

def solve_hall(units, V, A):
    for attempt in range(20):
        X = [{i: Fr(RNG.randint(-50, 50)) for i in R} for R, C in units]
        Y = [{} for _ in units]
        ok = True
        cols = sorted({j for i, j in V})
        for j in cols:
            rows = sorted(i for i, jj in V if jj == j)
            ks = [k for k, (R, C) in enumerate(units) if j in C]
            M = [[X[k][i] if i in units[k][0] else Fr(0) for k in ks] for i in rows]
            s = linsolve(M, [A[(i, j)] for i in rows], len(ks))
            if s is None: ok = False; break
            for k, v in zip(ks, s): Y[k][j] = v
        if ok:
            return list(zip(X, Y))
    raise AssertionError('hall: no solution found')

def solve_pivot(units, V, A, depth, proof):
    _, _, k, i, pz, subs = proof
    R, C = units[k]
    E = sorted(j for j in C if (i, j) in V)
    ZV = V - {(i, j) for j in E}
    F = [None] * len(units)
    if all(A[(i, j)] == 0 for j in E):
        zu = units[:k] + ((R - {i}, C),) + units[k + 1:]
        return solve(zu, ZV, {c: A[c] for c in ZV}, depth + 1)
    j0 = next(j for j in E if A[(i, j)] != 0)
    w = {j: A[(i, j)] for j in E}
    x = {i: Fr(1)}
    for r in R:
        if r != i:
            x[r] = A[(r, j0)] / w[j0] if (r, j0) in ZV else Fr(0)
    restk = [m for m in range(len(units)) if m != k]
    rest = [units[m] for m in restk]
    prodk = product([units[k]], [(x, w)], ZV)
    B = {c: A[c] - prodk[c] for c in ZV}
    Zj = fs((r, j0) for r in R if r != i and (r, j0) in ZV)
    pn = dict(subs)[j0]
    if not Zj:
        sub = solve(rest, ZV, B, depth + 1)
    elif pn[0] == 'fullrest':
        sub = solve(rest, ZV, B, depth + 1)
    else:
        choice = pn[1]
        assert all(B[c] == 0 for c in Zj)
        sub = solve(list(choice), ZV - Zj, {c: B[c] for c in ZV - Zj}, depth + 1)
    for m, f in zip(restk, sub): F[m] = f
    F[k] = (x, w)
    return F

def solve_elim(units, V, A, depth, proof):
    _, _, k, i, Rp, _p = proof
    Rp = fs(Rp)
    R, C = units[k]
    Vi = fs(j for (r, j) in V if r == i)
    gamma = {r: Fr(RNG.choice([1, 2, -1, 3])) for r in Rp}
    new = []; info = []
    for m, (Rm, Cm) in enumerate(units):
        if m == k:
            if C - Vi and len(Rp) == 1:
                new.append((Rp, C - Vi)); info.append(('k', m))
            continue
        if i not in Rm:
            new.append((Rm, Cm)); info.append(('same', m)); continue
        D = Rp - Rm
        if Cm <= Vi and len(D) <= 1:
            new.append(((Rm - {i}) | D, Cm)); info.append(('coupled', m, D))
        else:
            new.append((Rm - {i}, Cm)); info.append(('cut', m))
    W = fs(c for c in V if c[0] != i)
    Ap = {}
    for (r, j) in W:
        Ap[(r, j)] = A[(r, j)] - (gamma[r] * A[(i, j)] if (r in Rp and j in Vi) else 0)
    sub = solve(new, W, Ap, depth + 1)
    F = [None] * len(units)
    yk_extra = {}
    for (tag, *rest), (xp, yp) in zip(info, sub):
        m = rest[0]
        if tag == 'same' or tag == 'cut':
            F[m] = (dict(xp), dict(yp))
        elif tag == 'coupled':
            D = rest[1]
            if D:
                d = next(iter(D)); xi = -xp.get(d, Fr(0)) / gamma[d]
            else:
                xi = Fr(0)
            x = {r: xp.get(r, Fr(0)) + gamma.get(r, Fr(0)) * xi for r in units[m][0] if r != i}
            x[i] = xi
            F[m] = (x, dict(yp))
        elif tag == 'k':
            d = next(iter(Rp))
            for j, v in yp.items():
                yk_extra[j] = xp.get(d, Fr(0)) * v / gamma[d]
    # unit k
    xk = {i: Fr(1)}; xk.update(gamma)
    yk = {}
    for j in Vi:
        s = A[(i, j)]
        for m, (Rm, Cm) in enumerate(units):
            if m != k and i in Rm and j in Cm:
                s -= F[m][0].get(i, Fr(0)) * F[m][1].get(j, Fr(0))
        yk[j] = s
    yk.update(yk_extra)
    F[k] = (xk, yk)
    return F

def verify(units, V, A, F):
    check_supports(units, F)
    M = product(units, F, V)
    return all(M[c] == A[c] for c in V)
