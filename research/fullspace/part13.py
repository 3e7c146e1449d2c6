"""Part 13: units c = {0,1,2}^2, a = {0,2}^2, b = {1,2}^2 (mu=1 each), V = all 3x3.
Constructive proof that Q = R^{3x3} (see REPORT.md); exact verification on random sparse A."""
import random, itertools
from fractions import Fraction as Fr
def outer(u, v): return [[ui * vj for vj in v] for ui in u]
def add(*Ms): return [[sum(M[i][j] for M in Ms) for j in range(3)] for i in range(3)]
def rank_le1(M2):  # 3x2 list of rows
    return all(M2[i][0] * M2[k][1] - M2[i][1] * M2[k][0] == 0 for i in range(3) for k in range(3))
def construct(A):
    Z = Fr(0)
    cols01 = [[A[i][0], A[i][1]] for i in range(3)]
    if rank_le1(cols01):
        # case (i): A[:, {0,1}] = g h^T ; c = g (h, 0); a, b on column 2
        i0 = next((i for i in range(3) if cols01[i] != [0, 0]), None)
        if i0 is None: g, h = [Z] * 3, [Z, Z]
        else:
            h = cols01[i0]; j0 = 0 if h[0] != 0 else 1
            g = [cols01[i][j0] / h[j0] for i in range(3)]
        c = (g, [h[0], h[1], Z])
        a = ([Fr(1), Z, A[2][2] - g[2] * 0], [Z, Z, Z])  # placeholder
        # column 2 target: (A02, A12, A22) with a = p q2 rows{0,2}, b = r s2 rows{1,2}
        a = ([A[0][2], Z, Z], [Z, Z, Fr(1)])
        b = ([Z, A[1][2], A[2][2]], [Z, Z, Fr(1)])
        return c, a, b
    # case (ii): eliminate row 0 with x_c = (1, g1, g2), g1 != 0
    x = [A[1][0], A[2][0]]; y = [A[1][1], A[2][1]]
    det = lambda u, v: u[0] * v[1] - u[1] * v[0]
    z = [A[0][0] * y[k] - A[0][1] * x[k] for k in range(2)]
    for g in itertools.product([Fr(v) for v in (1, 2, -1, 3, 5)], repeat=2):
        if g[0] == 0: continue
        m0 = [x[k] - g[k] * A[0][0] for k in range(2)]
        m1 = [y[k] - g[k] * A[0][1] for k in range(2)]
        m2 = [A[k + 1][2] - g[k] * A[0][2] for k in range(2)]
        if det(m0, m1) != 0 or m0 == [0, 0] or m1 == [0, 0]: break
    else:
        raise AssertionError('no gamma')
    # solve shared-rows: [m0 m1 m2] = x'(q0,0,q2) + r(0,s1,s2)
    if det(m0, m1) != 0:
        xp, q0, r, s1 = m0, Fr(1), m1, Fr(1)
        D = det(m0, m1); q2 = det(m2, m1) / D; s2 = det(m0, m2) / D
    elif m0 == [0, 0]:
        q0 = Z; r = m1 if m1 != [0, 0] else [Fr(1), Z]; s1 = Fr(1) if m1 != [0, 0] else Z
        xp, q2, s2 = m2, Fr(1), Z
    else:
        s1 = Z; xp = m0; q0 = Fr(1); r = m2; s2 = Fr(1); q2 = Z
    # back-substitute: x' = (-g1 p0, p2 - g2 p0)
    p0 = -xp[0] / g[0]; p2 = xp[1] + g[1] * p0
    a = ([p0, Z, p2], [q0, Z, q2])
    b = ([Z, r[0], r[1]], [Z, s1, s2])
    yc = [A[0][j] - p0 * [q0, Z, q2][j] for j in range(3)]
    c = ([Fr(1), g[0], g[1]], yc)
    return c, a, b
rng = random.Random(5); N = 0
for bits in itertools.product([0, 1], repeat=9):
    A = [[Fr(bits[3 * i + j]) for j in range(3)] for i in range(3)]
    c, a, b = construct(A); assert add(outer(*c), outer(*a), outer(*b)) == A; N += 1
for t in range(200000):
    d = rng.random()
    A = [[Fr(rng.choice([-2, -1, 1, 2])) if rng.random() < d else Fr(0) for j in range(3)] for i in range(3)]
    c, a, b = construct(A)
    assert all(a[0][1] == 0 for _ in [0]) and a[1][1] == 0 and b[0][0] == 0 and b[1][0] == 0
    assert add(outer(*c), outer(*a), outer(*b)) == A, A
    N += 1
print('part 13 construction verified on', N, 'targets')
