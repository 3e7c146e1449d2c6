"""Regenerate the case library (run from the repository root: ``python cases/make_cases.py``).

Family cases are built with the command line, exactly as listed in ``cases/README.md``
(``closure-check family NAME ARGS -o FILE``), then given their ``name:``, ``expect:`` and
``source:`` lines; a two-factor chain (``deformable-butterfly`` with two quadruples) is
stored in the ``I``/``J`` form (``I = W1``, ``J = W2ᵀ``) when it is a two-factor case.
Hand-made cases are lists of rectangles ``rows × cols`` (0-based), one unit each.

The five original files (``cases/*.sup``) are not touched.  Nothing here runs the
classifier: expectations come from the sources written next to them.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
from pathlib import Path


from closure_check.core.case import Case, Verdict
from closure_check.core.enumerate import rectangles_to_support
from closure_check.io import read_case
from closure_check.io.text import format_text
from closure_check.core.support import ChainSupport

ROOT = Path(__file__).resolve().parent

CLOSED, NOT_CLOSED = Verdict.CLOSED, Verdict.NOT_CLOSED

DISJOINT = "disjoint-or-identical theorem, arXiv 2112.00386 (SIMAX 2023) and ICASSP 2022 Thm 1"
LOCAL_LU = "docs/theory.md local-LU lemma"
KRON_2 = (
    "in a Kronecker-sparse factor I_a⊗1_{b×c}⊗I_d two columns (rows) have equal or disjoint supports, "
    "so the rectangles of a two-factor Kronecker-sparse pair are disjoint or identical: closed by the "
    + DISJOINT
)
BF_CHAIN = (
    "arXiv 2411.04506 (Le, Zheng, Riccietti, Gribonval, Butterfly factorization with error guarantees) "
    "and arXiv 2110.01230 (ZRG): chainable Kronecker-sparse architectures have a closed set of products "
    "(the approximation problem always has an optimum)"
)

# ---------------------------------------------------------------------------------------
# Family cases: (file, family arguments, name, expect, source)
# ---------------------------------------------------------------------------------------

FAMILY_CASES: list[tuple[str, list[str], str, Verdict, str]] = []


def family(path: str, args: str, name: str, expect: Verdict, source: str) -> None:
    FAMILY_CASES.append((path, shlex.split(args), name, expect, source))


LU_SOURCE = (
    "seed talk and NeurIPS 2023 (arXiv 2306.02666): the set of products L U of n×n lower and upper "
    "triangular matrices is not closed for n ≥ 2 - the matrix with leading 2×2 block the anti-identity "
    "(and identity below) is a limit of LU products with no LU factorisation; "
    + LOCAL_LU
    + " on rows/columns 0,1 (unit 0 alone covers (0,0),(0,1),(1,0); unit 1 covers (1,1))"
)
for n in (3, 4, 5, 6):
    family(f"families/lu{n}.sup", f"lu {n}", f"lu{n}", NOT_CLOSED, LU_SOURCE)

DENSE_SOURCE = (
    "docs/theory.md structural + determinantal lemma: all units share the full rectangle, so P is the "
    "set of matrices of rank ≤ r, the zero set of the (r+1)-minors (Eckart-Young: SVD is optimal)"
)
for m, n, r in ((3, 3, 1), (4, 5, 2), (6, 4, 3), (8, 8, 3)):
    family(f"families/dense_{m}x{n}_r{r}.sup", f"dense {m} {n} {r}", f"dense-{m}x{n}-r{r}", CLOSED, DENSE_SOURCE)
family(
    "families/dense_5x5_r5.sup", "dense 5 5 5", "dense-5x5-r5", CLOSED,
    "docs/theory.md complete-classes lemma: one class with μ = 5 ≥ min(5,5) is complete, P is all 5×5 "
    "matrices (a linear space)",
)

family(
    "families/diagonal4.sup", "diagonal 4", "diagonal4", CLOSED,
    DISJOINT + ": single-cell rectangles on the diagonal, pairwise disjoint; P = diagonal matrices",
)
family(
    "families/diagonal16.sup", "diagonal 16", "diagonal16", CLOSED,
    DISJOINT + ": single-cell rectangles on the diagonal, pairwise disjoint; P = diagonal matrices",
)
family(
    "families/block_diagonal_mixed.sup", "block-diagonal 2,3,1 3,2,2 1,4,1", "block-diagonal-mixed", CLOSED,
    DISJOINT + ": one class per diagonal block (rank ≤ r_b on block b), blocks pairwise disjoint",
)
family(
    "families/block_diagonal_4x4.sup", "block-diagonal 4,4,1 4,4,2 4,4,4", "block-diagonal-4x4", CLOSED,
    DISJOINT + ": one class per diagonal block (rank ≤ 1, 2, 4), blocks pairwise disjoint",
)

BUTTERFLY_SPLIT = (
    "arXiv 2110.01230 (ZRG) and arXiv 2411.04506 (BF): a two-factor split of the square dyadic "
    "butterfly is the Kronecker-sparse pair (1,2^ell,2^ell,2^(L-ell)), (2^ell,2^(L-ell),2^(L-ell),1) whose "
    "rectangles are pairwise disjoint or identical; closed by the " + DISJOINT + "; MATH.md §4 last row"
)
for L, ell in ((3, 1), (3, 2), (4, 2), (5, 2), (6, 3), (8, 4)):
    family(
        f"families/butterfly_split_N{2**L}_l{ell}.sup", f"butterfly-split {L} {ell}",
        f"butterfly-split-N{2**L}-l{ell}", CLOSED, BUTTERFLY_SPLIT,
    )

MONARCH = (
    "Monarch (Dao et al. 2022, arXiv 2204.00595) = Kronecker-sparse pair (1,m,m,m),(m,m,m,1), chainable "
    "per arXiv 2411.04506 (BF); unit (g,d) has rectangle {rows ≡ d mod m} × {column block g}, pairwise "
    "disjoint; closed by the " + DISJOINT
)
for m in (2, 3, 4, 8, 16):
    family(f"families/monarch_n{m * m}.sup", f"monarch {m}", f"monarch-n{m * m}", CLOSED, MONARCH)

# Two-factor splits (boolean products on each side) of deformable butterfly chains; each side is
# again a Kronecker-sparse pattern, so the split is the family with those two quadruples.
for quads, label, chain in (
    ("1,2,3,4 3,4,10,1", "deformable-split-8x30-l1", "(1,2,3,4)(3,2,2,2)(6,2,5,1)"),
    ("1,4,6,2 6,2,5,1", "deformable-split-8x30-l2", "(1,2,3,4)(3,2,2,2)(6,2,5,1)"),
    ("1,3,3,9 3,9,9,1", "deformable-split-27-l1", "(1,3,3,9)(3,3,3,3)(9,3,3,1)"),
    ("1,9,9,3 9,3,3,1", "deformable-split-27-l2", "(1,3,3,9)(3,3,3,3)(9,3,3,1)"),
    ("1,4,2,3 2,3,3,1", "deformable-pair-12x6", None),
    ("1,2,2,6 2,6,6,1", "deformable-split-12-l1", "(1,2,2,6)(2,3,3,2)(6,2,2,1)"),
):
    origin = (f"two-factor split (boolean products) of the deformable butterfly chain {chain}; " if chain
              else "a two-factor deformable butterfly (arXiv 2411.04506); ")
    family(f"families/{label.replace('-', '_')}.sup", f"deformable-butterfly {quads}", label, CLOSED,
           origin + KRON_2)

# Two-factor splits of the Kaleidoscope chain B B* (Dao et al. 2020, arXiv 2012.14966), W_1..W_L W_L..W_1:
# at ell ≤ L the left side W_1⋯W_ell is (1,2^ell,2^ell,2^(L-ell)) and the right side is dense.
for L, ell in ((2, 1), (3, 2), (3, 3), (4, 2)):
    N = 2**L
    left = f"1,{2**ell},{2**ell},{2 ** (L - ell)}"
    family(
        f"families/kaleidoscope_split_N{N}_l{ell}.sup", f"deformable-butterfly {left} 1,{N},{N},1",
        f"kaleidoscope-split-N{N}-l{ell}", CLOSED,
        f"two-factor split after factor {ell} (boolean products of the first {ell} and of the last {2 * L - ell} "
        f"factors) of the Kaleidoscope chain B B* of size {N} (Dao et al. 2020, arXiv 2012.14966); the right "
        f"side is dense, so each class "
        f"R×[N] has μ = |R| = {2**ell}: complete classes on disjoint rectangles (docs/theory.md "
        f"complete-classes lemma); closed by the " + DISJOINT,
    )

# Seeded random k-sparse supports.
RANDOM_CLOSED = [(4, 4, 3, 2, 1), (6, 6, 4, 2, 0), (8, 8, 6, 2, 5), (30, 30, 30, 1, 0)]
for args in RANDOM_CLOSED:
    cmd = "random " + " ".join(map(str, args))
    m, n, r, k, seed = args
    family(
        f"families/random_{m}x{n}_r{r}_k{k}_s{seed}.sup", cmd, f"random-{m}x{n}-r{r}-k{k}-s{seed}", CLOSED,
        f"seed {seed}, command: closure-check family {cmd}; its rectangles are pairwise disjoint or "
        f"identical: closed by the " + DISJOINT,
    )
RANDOM_NOT_CLOSED = {
    (4, 4, 3, 2, 0): "unit 2 alone covers (1,3),(1,2),(3,3) and unit 1 covers (3,2)",
    (6, 6, 6, 3, 2): "unit 0 alone covers (5,5),(5,0),(2,5) and unit 1 covers (2,0)",
    (10, 10, 8, 3, 0): "unit 1 alone covers (3,5),(3,4),(9,5) and unit 6 covers (9,4)",
    (16, 16, 12, 3, 1): "unit 0 alone covers (7,4),(7,1),(1,4) and unit 6 covers (1,1)",
    (20, 20, 4, 5, 0): "unit 0 alone covers (2,1),(2,5),(4,1) and unit 1 covers (4,5)",
    (40, 40, 20, 2, 3): "unit 0 alone covers (3,0),(3,37),(32,0) and unit 2 covers (32,37)",
}
for args, witness in RANDOM_NOT_CLOSED.items():
    cmd = "random " + " ".join(map(str, args))
    m, n, r, k, seed = args
    family(
        f"families/random_{m}x{n}_r{r}_k{k}_s{seed}.sup", cmd, f"random-{m}x{n}-r{r}-k{k}-s{seed}", NOT_CLOSED,
        f"seed {seed}, command: closure-check family {cmd}; {LOCAL_LU}: {witness}",
    )
family(
    "families/random_5x5_r4_k2_s4.sup", "random 5 5 4 2 4", "random-5x5-r4-k2-s4", NOT_CLOSED,
    "seed 4, command: closure-check family random 5 5 4 2 4; docs/theory.md shared-rows lemma: units 0 and 3 "
    "share rows 2,4; on them column 0 is covered only by unit 0, column 2 only by unit 3, column 3 only by "
    "units 0 and 3",
)

# N:M layers (two 2:4 layers y = W_2 W_1 x, stored as I = M_2, J = M_1ᵀ) and sparse plus low rank
family(
    "families/nm_2of4_4x4_s0.sup", "nm 2 4 4 4 0", "nm-2of4-4x4-s0", NOT_CLOSED,
    "two 2:4 layers, seed 0, command: closure-check family nm 2 4 4 4 0; docs/theory.md shared-rows lemma: "
    "units 2 and 3 share rows 0,1; on them column 0 is covered only by unit 2, column 3 only by unit 3, "
    "column 1 only by units 2 and 3",
)
family(
    "families/nm_2of4_4x8_s0.sup", "nm 2 4 4 8 0", "nm-2of4-4x8-s0", CLOSED,
    "two 2:4 layers (8 hidden neurons), seed 0, command: closure-check family nm 2 4 4 8 0; docs/theory.md "
    "absorption lemma then masked block lemma: the one part left is a rank-one class on {0,1,2}×{0,2} whose "
    "visible cells form the disjoint blocks {2}×{2}, {0}×{0}",
)
family(
    "families/sparse_lowrank_2x2_r1_k1_s0.sup", "sparse-lowrank 2 2 1 1 0", "sparse-lowrank-2x2-r1-k1-s0", NOT_CLOSED,
    "rank one plus one free cell (robust PCA / rigidity set, docs/theory.md §1 sparse plus low rank), command: "
    "closure-check family sparse-lowrank 2 2 1 1 0; local-LU lemma with a hidden corner: the free cell (1,1) "
    "is absorbed and unit 0 alone covers (0,0), (0,1), (1,0)",
)
family(
    "families/sparse_lowrank_3x3_r1_k2_s0.sup", "sparse-lowrank 3 3 1 2 0", "sparse-lowrank-3x3-r1-k2-s0", NOT_CLOSED,
    "rank one plus two free cells on 3×3, command: closure-check family sparse-lowrank 3 3 1 2 0; local-LU "
    "lemma with a hidden corner: unit 0 alone covers (0,0), (0,2), (1,0) and (1,2) is free (absorbed)",
)

# ---------------------------------------------------------------------------------------
# Hand-made cases: (file, m, n, rectangles, name, expect, source, comment)
# ---------------------------------------------------------------------------------------

HAND_CASES: list[tuple[str, int, int, list, str, Verdict, str, str]] = []


def hand(path, m, n, rects, name, expect, source, comment):
    HAND_CASES.append((path, m, n, rects, name, expect, source, comment))


# Complete classes.
hand("small/complete_row_then_rank_one.sup", 3, 3, [((0,), (0, 1, 2)), ((0, 1, 2), (0, 1, 2))],
     "complete-row-then-rank-one", CLOSED,
     "docs/theory.md absorption + projection + determinantal lemmas: the single-row unit {0}×{0,1,2} is "
     "complete; absorbing it leaves rank ≤ 1 on the rectangle {1,2}×{0,1,2} (SIMAX complete-class reduction)",
     "A complete single-row unit over a rank-one 3×3 block.")
hand("small/complete_rank2_block_then_rank_one.sup", 4, 3,
     [((0, 1), (0, 1, 2)), ((0, 1), (0, 1, 2)), ((1, 2, 3), (0, 1))],
     "complete-rank2-block-then-rank-one", CLOSED,
     "docs/theory.md absorption + projection + determinantal lemmas: the class {0,1}×{0,1,2} has μ = 2 = "
     "min(2,3), complete; absorbing it leaves rank ≤ 1 on {2,3}×{0,1}",
     "Two identical units (a complete class of multiplicity 2) overlapping a rank-one unit.")
hand("small/complete_offdiagonal_masked_block.sup", 4, 4,
     [((0, 1), (2, 3)), ((0, 1), (2, 3)), ((2, 3), (0, 1)), ((2, 3), (0, 1)), ((0, 1, 2, 3), (0, 1, 2, 3))],
     "complete-offdiagonal-masked-block", CLOSED,
     "docs/theory.md absorption + masked block lemma: the complete classes {0,1}×{2,3} and {2,3}×{0,1} "
     "(μ = 2) hide the off-diagonal blocks of the rank-one 4×4 unit; its visible cells are the disjoint "
     "blocks {0,1}×{0,1}, {2,3}×{2,3}: a product of rank-≤1 sets",
     "Rank-one 4×4 unit whose off-diagonal 2×2 blocks are made free by complete classes.")
hand("small/disjoint_or_identical_mixed.sup", 5, 6,
     [((0, 1, 2), (0, 1, 2)), ((0, 1, 2), (0, 1, 2)), ((3, 4), (3, 4, 5)), ((3,), (0,)), ((4,), (0, 1))],
     "disjoint-or-identical-mixed", CLOSED,
     DISJOINT + ": a class of multiplicity 2 and three other rectangles, pairwise disjoint or identical",
     "Rectangles pairwise disjoint or identical, with multiplicities 2, 1, 1, 1.")

# Overlap patterns decided by each lemma.
hand("small/nested_pair.sup", 3, 4, [((0, 1, 2), (0, 1)), ((0, 1, 2), (0, 1, 2, 3))],
     "nested-pair", CLOSED,
     "docs/theory.md nested-pair lemma: same rows, columns {0,1} ⊊ {0,1,2,3}; P = {rank M ≤ 2, rank "
     "M[:, {2,3}] ≤ 1}",
     "Two units with the same rows and nested columns.")
hand("small/nested_pair_mu2.sup", 3, 4,
     [((0, 1, 2), (0, 1)), ((0, 1, 2), (0, 1, 2, 3)), ((0, 1, 2), (0, 1, 2, 3))],
     "nested-pair-mu2", CLOSED,
     "docs/theory.md nested-pair lemma with μ2 = 2: P = {rank M ≤ 3, rank M[:, {2,3}] ≤ 2}",
     "Nested pair where the larger rectangle has multiplicity 2.")
hand("small/nested_pair_rows.sup", 4, 3, [((0, 1), (0, 1, 2)), ((0, 1, 2, 3), (0, 1, 2))],
     "nested-pair-rows", CLOSED,
     "docs/theory.md nested-pair lemma (rows and columns exchanged): same columns, rows {0,1} ⊊ {0,1,2,3}",
     "Two units with the same columns and nested rows.")
hand("small/cross.sup", 4, 4, [((0, 1), (0, 1, 2, 3)), ((0, 1, 2, 3), (0, 1))],
     "cross", CLOSED,
     "docs/theory.md cross lemma: R_a = {0,1} ⊊ R_b, C_b = {0,1} ⊊ C_a; P = {M = 0 on {2,3}×{2,3}, "
     "rank M ≤ 2, rank ≤ 1 on each arm}",
     "Two rank-one units forming a cross (horizontal 2×4 bar, vertical 4×2 bar).")
hand("small/cross_3x5.sup", 5, 5, [((0, 1, 2), (0, 1, 2, 3, 4)), ((0, 1, 2, 3, 4), (0, 1, 2))],
     "cross-3x5", CLOSED,
     "docs/theory.md cross lemma: R_a = {0,1,2} ⊊ R_b, C_b = {0,1,2} ⊊ C_a",
     "A larger cross: 3×5 bar and 5×3 bar.")
hand("small/shared_rows_3x5.sup", 3, 5, [((0, 1, 2), (0, 1, 2)), ((0, 1, 2), (2, 3, 4))],
     "shared-rows-3x5", NOT_CLOSED,
     "docs/theory.md shared-rows lemma (MATH.md §2 example generalised): units share rows 0,1,2; column 0 "
     "only unit 0, column 4 only unit 1, column 2 both; A = E_{0,0} + E_{0,4} + E_{1,2}",
     "Two 3×3 rank-one blocks sharing all rows and one column.")
hand("small/shared_columns_5x3.sup", 5, 3, [((0, 1, 2), (0, 1, 2)), ((2, 3, 4), (0, 1, 2))],
     "shared-columns-5x3", NOT_CLOSED,
     "docs/theory.md shared-columns lemma (transpose of the shared-rows lemma): units share columns 0,1,2 "
     "and row 2",
     "Transpose of shared-rows-3x5.")
hand("small/shared_rows_with_complete.sup", 2, 4,
     [((0, 1), (0, 1, 2)), ((0, 1), (1, 2, 3)), ((0, 1), (2,))],
     "shared-rows-with-complete", NOT_CLOSED,
     "docs/theory.md shared-rows lemma after absorption: the complete column unit {0,1}×{2} hides column 2; "
     "on rows 0,1 column 0 is only unit 0's, column 3 only unit 1's, column 1 both",
     "Shared rows, with a complete column unit hiding one shared column.")
hand("small/local_lu_hidden_corner.sup", 3, 3, [((2,), (1, 2)), ((0, 1, 2), (0, 1, 2))],
     "local-lu-hidden-corner", NOT_CLOSED,
     "docs/theory.md local-LU lemma with a hidden corner: the complete row unit {2}×{1,2} hides (2,1); "
     "unit 1 alone covers (0,0),(0,1),(2,0); A = E_{0,1} + E_{2,0}",
     "Rank-one 3×3 unit with two cells of its last row made free by a complete unit.")
hand("small/local_lu_L_shape.sup", 3, 3, [((0, 1, 2), (0, 1, 2)), ((1, 2), (1, 2)), ((1, 2), (1, 2))],
     "local-lu-L-shape", NOT_CLOSED,
     "docs/theory.md local-LU lemma with a hidden corner: the complete class {1,2}×{1,2} (μ = 2) hides "
     "(1,1); the rank-one unit alone covers (0,0),(0,1),(1,0); A = E_{0,1} + E_{1,0}",
     "Rank-one 3×3 unit plus a complete 2×2 class in the corner (a block LU pattern).")

# The NP-hardness gadget: rank-one matrix completion as a fixed-support factorisation.
OBSERVED = [(0, 0), (0, 2), (1, 1), (1, 3), (1, 4), (2, 1), (2, 4), (3, 0), (3, 2), (3, 3)]
MISSING = [(i, j) for i in range(4) for j in range(5) if (i, j) not in OBSERVED]
hand("small/np_gadget_completion_4x5.sup", 4, 5,
     [((0, 1, 2, 3), (0, 1, 2, 3, 4))] + [((i,), (j,)) for i, j in MISSING],
     "np-gadget-completion-4x5", NOT_CLOSED,
     "NP-hardness gadget of arXiv 2112.00386 (SIMAX 2023; seed talk Thm I: rank-one matrix completion "
     "reduces to FSMF; hardness from Gillis-Glineur SIMAX 2011): unit 0 is a dense rank-one unit, plus one "
     "single-cell unit per missing entry of the talk's 4×5 mask, so min ‖A − XYᵀ‖ is rank-one approximation "
     "with binary weights; not closed by the " + LOCAL_LU + " (hidden corner): the observed cells are "
     "connected but not a biclique",
     "Rank-one completion of the 4×5 mask of the seed talk (observed: row 0 cols 0,2; row 1 cols 1,3,4; "
     "row 2 cols 1,4; row 3 cols 0,2,3).")
BLOCK_OBSERVED = {(i, j) for i in (0, 1) for j in (0, 1, 2)} | {(i, j) for i in (2, 3) for j in (3, 4)}
hand("small/np_gadget_block_mask.sup", 4, 5,
     [((0, 1, 2, 3), (0, 1, 2, 3, 4))]
     + [((i,), (j,)) for i in range(4) for j in range(5) if (i, j) not in BLOCK_OBSERVED],
     "np-gadget-block-mask", CLOSED,
     "the gadget of arXiv 2112.00386 (rank-one completion as FSMF) with a block-diagonal mask: after "
     "absorbing the single-cell units the visible cells are the disjoint blocks {0,1}×{0,1,2}, {2,3}×{3,4}: "
     "closed by the docs/theory.md masked block lemma",
     "Rank-one completion gadget with a block-diagonal observation mask (tractable instance).")

# Small patterns decided only by the algebraic engine (check(budget=0) is UNKNOWN).
ENGINE_NC = "needs the engine (no rule of docs/theory.md applies; check with budget 0 is UNKNOWN): "
for label, rects, limit in (
    ("engine_3x3_a", [((0,), (0,)), ((0, 1), (0, 1, 2)), ((0, 1, 2), (0, 1))], "E_{0,1} + E_{1,2} + E_{2,0}"),
    ("engine_3x3_b", [((0,), (0,)), ((1, 2), (1, 2)), ((0, 1, 2), (0, 1, 2))], "E_{0,1} + E_{1,0} + E_{2,2}"),
    ("engine_3x3_c", [((0, 1), (0,)), ((1, 2), (0, 1)), ((1, 2), (0, 2))], "E_{1,1} + E_{1,2} + E_{2,0}"),
    ("engine_3x3_d", [((0,), (0, 1)), ((0, 1), (0, 1, 2)), ((0, 2), (0, 1, 2))], "E_{0,2} + E_{1,0} + E_{2,0}"),
):
    name = label.replace("_", "-")
    hand(f"small/{label}.sup", 3, 3, rects, name, NOT_CLOSED,
         ENGINE_NC + f"Laurent curve lemma + weak Nullstellensatz, limit A = {limit}; certificate "
         f"cases/certs/{name}.json",
         "3×3 pattern with 3 units: " + ", ".join(f"{set(r)}×{set(c)}" for r, c in rects) + ".")

hand("small/free_multiplier_pivot_2x3.sup", 2, 3, [((0,), (0,)), ((0, 1), (0, 1)), ((0, 1), (1, 2))],
     "free-multiplier-pivot-2x3", CLOSED,
     "docs/theory.md §4 full-space lemma, free-multiplier elimination lemma with a one-cell block proved by a "
     "pivot row (eliminate column 1 with the unit {0,1}×{1,2}, multiplier on column 2; if A[1,{1,2}] = 0 the "
     "units kept off it fill the rest, otherwise the transformed unit {0,1}×{0,2} pivots on column 2): P is all "
     "of R^(2×3), a linear space (was engine_2x3_closed_a, decided by the engine's Zariski criterion before "
     "that variant existed)",
     "2×3 pattern: {0}×{0}, {0, 1}×{0, 1}, {0, 1}×{1, 2}.")

hand("small/pivot_row_2x3.sup", 2, 3, [((0,), (0,)), ((0, 1), (0, 1)), ((0, 1), (0, 1, 2))], "pivot-row-2x3", CLOSED,
     "docs/theory.md §4 full-space lemma, pivot-row lemma on column 2 of the unit {0,1}×{0,1,2} (no other "
     "unit covers that column): P is all of R^(2×3), a linear space (decided by the engine's Zariski "
     "criterion before the pivot-row lemma existed)",
     "2×3 pattern: {0}×{0}, {0, 1}×{0, 1}, {0, 1}×{0, 1, 2}.")

# ---------------------------------------------------------------------------------------
# Chains (cases/chains/): (file, family arguments, name, expect, source)
# ---------------------------------------------------------------------------------------

CHAIN_CASES: list[tuple[str, list[str], str, Verdict, str]] = []
for L in (2, 3, 4, 5, 6, 7):
    CHAIN_CASES.append((
        f"chains/butterfly_N{2**L}.sup", ["butterfly", str(L)], f"butterfly-chain-N{2**L}", CLOSED,
        f"square dyadic butterfly chain, {L} factors (2^(l-1),2,2,2^(L-l)); " + BF_CHAIN
        + "; MATH.md §3 (chainable butterfly)",
    ))
for m in (2, 3, 4, 8):
    CHAIN_CASES.append((
        f"chains/monarch_N{m * m}.sup", ["deformable-butterfly", f"1,{m},{m},{m}", f"{m},{m},{m},1"],
        f"monarch-chain-N{m * m}", CLOSED,
        f"Monarch chain (1,{m},{m},{m})({m},{m},{m},1) (Dao et al. 2022, arXiv 2204.00595); " + BF_CHAIN
        + "; Monarch is named there as chainable",
    ))
for quads, label in (
    (["1,3,3,9", "3,3,3,3", "9,3,3,1"], "deformable_radix3_N27"),
    (["1,2,3,4", "3,2,2,2", "6,2,5,1"], "deformable_8x30"),
    (["1,2,2,6", "2,3,3,2", "6,2,2,1"], "deformable_12"),
):
    CHAIN_CASES.append((
        f"chains/{label}.sup", ["deformable-butterfly", *quads], label.replace("_", "-"), CLOSED,
        "deformable butterfly chain " + "".join(f"({q})" for q in quads)
        + " with a_(l+1) = a_l c_l and d_l = b_(l+1) d_(l+1) for consecutive factors (as the square dyadic "
        "butterfly and Monarch), so every product of consecutive factors is again Kronecker-sparse; " + BF_CHAIN,
    ))
CHAIN_CASES.append((
    "chains/kaleidoscope_N2.sup", ["kaleidoscope", "1"], "kaleidoscope-chain-N2", CLOSED,
    (
        "Kaleidoscope B B* of size 2 (Dao et al. 2020, arXiv 2012.14966): two dense 2×2 factors, one class "
        "of multiplicity 2 = min(2,2), complete (docs/theory.md complete-classes lemma): P = all 2×2 matrices"
    ),
))

# Small chains of three factors (MATH.md §3), decided by docs/theory.md §6:
# (file, factors as 0/1 rows, name, expect, source)
UPPER2, LOWER2, DIAG2 = [[1, 1], [0, 1]], [[1, 0], [1, 1]], [[1, 0], [0, 1]]
UPPER3 = [[1, 1, 1], [0, 1, 1], [0, 0, 1]]
LOWER3 = [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
DIAG3 = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
SMALL_CHAINS = [
    ("chains/diag_upper_lower_2.sup", (DIAG2, UPPER2, LOWER2), "diag-upper-lower-2", NOT_CLOSED,
     "MATH.md §3 (claim, checked here): the diagonal factor is a permutation pattern, so P = {U L} "
     "(docs/theory.md §6 partial-permutation lemma), the two-factor set with I = upper, J = lowerᵀ, "
     "not closed by the local-LU lemma (docs/theory.md §4): E_01 + E_10 is a limit, not a product"),
    ("chains/upper_lower_upper_2.sup", (UPPER2, LOWER2, UPPER2), "upper-lower-upper-2", CLOSED,
     "MATH.md §3 (claim, checked here): P = all 2×2 matrices by the chain orbit lemma (docs/theory.md §6: "
     "every partial permutation on the Zariski closure has an exact factorisation), confirmed by z3 nlqsat"),
    ("chains/lower_upper_lower_3.sup", (LOWER3, UPPER3, LOWER3), "lower-upper-lower-3", CLOSED,
     "docs/theory.md §6 chain orbit lemma: P = all 3×3 matrices (34 partial permutations, each "
     "factored exactly); docs/chain_census.md"),
    ("chains/upper_lower_upper_3.sup", (UPPER3, LOWER3, UPPER3), "upper-lower-upper-3", CLOSED,
     "docs/theory.md §6 chain orbit lemma: P = all 3×3 matrices; docs/chain_census.md"),
    ("chains/diag_lower_upper_3.sup", (DIAG3, LOWER3, UPPER3), "diag-lower-upper-3", NOT_CLOSED,
     "docs/theory.md §6 partial-permutation lemma (the diagonal factor merges): P = {L U}, 3×3 LU, not "
     "closed by the local-LU lemma (docs/theory.md §4; SIMAX, LU example)"),
    ("chains/lower_diag_upper_3.sup", (LOWER3, DIAG3, UPPER3), "lower-diag-upper-3", NOT_CLOSED,
     "docs/theory.md §6 partial-permutation lemma: P = {L U}, 3×3 LU, not closed (local-LU lemma, "
     "docs/theory.md §4)"),
    ("chains/lower_lower_upper_3.sup", (LOWER3, LOWER3, UPPER3), "lower-lower-upper-3", NOT_CLOSED,
     "docs/theory.md §6 chain Laurent curve lemma + chain Nullstellensatz lemma: an exact curve of "
     "products tends to a limit with no complex factorisation (certificate: closure-check certify)"),
]


# ---------------------------------------------------------------------------------------


def _run_family(args: list[str], scratch: Path) -> Case:
    target = scratch / "out.sup"
    subprocess.run(["closure-check", "family", *args, "-o", str(target)], check=True, capture_output=True)
    return read_case(target)


def _write(path: Path, case: Case, comments: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "".join(f"# {line}\n" for line in comments)
    path.write_text(header + format_text(case), encoding="utf-8")


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        for path, args, name, expect, source in FAMILY_CASES:
            support = _run_family(args, Path(scratch)).support
            if isinstance(support, ChainSupport):
                assert support.length == 2
                support = support.to_two_factor()
            _write(ROOT / path, Case(support, name, expect, source),
                   [f"generated: closure-check family {' '.join(args)} (see cases/README.md)"])
        for path, args, name, expect, source in CHAIN_CASES:
            support = _run_family(args, Path(scratch)).support
            _write(ROOT / path, Case(support, name, expect, source),
                   [f"generated: closure-check family {' '.join(args)} (see cases/README.md)"])
    for path, factors, name, expect, source in SMALL_CHAINS:
        _write(ROOT / path, Case(ChainSupport.from_dense(factors), name, expect, source),
               ["chain W1 W2 W3 of small triangular/diagonal supports (MATH.md §3)"])
    for path, m, n, rects, name, expect, source, comment in HAND_CASES:
        _write(ROOT / path, Case(rectangles_to_support(m, n, rects), name, expect, source),
               [comment, "rectangles (rows × cols, 0-based), one unit each: "
                + "; ".join(f"{list(r)}×{list(c)}" for r, c in rects)])
    total = len(FAMILY_CASES) + len(CHAIN_CASES) + len(SMALL_CHAINS) + len(HAND_CASES)
    print(f"wrote {total} cases", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
