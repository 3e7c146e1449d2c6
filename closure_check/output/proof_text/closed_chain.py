"""Chain certificates (``"kind": "chain"``) proved CLOSED.

The reduction steps in words, the chain they leave (replayed from the steps, only to name
its supports), then the final lemma: one factor, the reduced certificate (two-factor or
chain), the chainable Kronecker-sparse lemma with its patterns and ranks, the chain
support, fixed-factor (fixed factors drawn), bottleneck or orbit lemma (prefix, suffix,
generators, every factorisation), or the Zariski-closure criterion as an engine record --
each citing docs/theory.md §6.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise
from typing import Any

from closure_check.output.proof_text.blocks import (
    MAX_DRAWN,
    Block,
    Display,
    Items,
    Math,
    cell,
    displays,
    para,
    pmatrix,
    poly,
    rat,
)
from closure_check.output.proof_text.chain import (
    THEORY,
    Chain,
    Names,
    chain_of,
    chain_setting,
    product_support,
    replay,
    steps_items,
    support_tex,
)
from closure_check.output.proof_text.two_factor import closed, engine_record_note

#: At most this many factorisations of the orbit lemma are written out.
MAX_FACTORISATIONS = 40


def _bare(rows: int | None, cols: int | None, entries: dict[tuple[int, int], Fraction]) -> str:
    """A rational matrix without a name: drawn, or (large or of unknown size) by its nonzero entries."""
    if rows is not None and cols is not None and max(rows, cols) <= MAX_DRAWN:
        return pmatrix([[rat(entries.get((a, b), Fraction(0))) for b in range(cols)] for a in range(rows)])
    nonzero = [(at, v) for at, v in sorted(entries.items()) if v]
    if not nonzero:
        return "0"
    listed = ",\\ ".join(f"{cell(at)}\\colon {rat(v)}" for at, v in nonzero[:40])
    return "\\{" + listed + (",\\ \\dots" if len(nonzero) > 40 else "") + "\\}"


def _rationals(items: list[dict[str, Any]]) -> dict[tuple[int, int], Fraction]:
    return {(int(item["entry"][0]), int(item["entry"][1])): Fraction(item["value"]) for item in items}


def _fixed_map(
    proof: dict[str, Any], dims: tuple[int, ...] | None, first: int, terms: list[str], supports: list[str],
    target: str, cells: int | None,
) -> list[Block]:
    """A fixed-factor proof over the factors ``first, first + 1, …`` (fixed ones named ``F_level``).

    ``terms`` and ``supports`` name the factors and their supports; the map onto ``target``
    (LaTeX) has rank ``proof["rank"]`` (else ``cells``), the number of cells of the target.
    """
    free = int(proof.get("free", 1))
    fixed = proof.get("fixed", [])
    count = len(terms)
    rank = proof.get("rank", cells)
    if count == 1:
        return [para(
            "With one factor, ", Math(terms[0]), " ranges over every matrix supported on ", Math(supports[0]),
            ", which is ", Math(target), ".",
        )]
    names, drawn = [], []
    for position in range(1, count + 1):
        if position == free:
            continue
        name = f"F_{{{first + position - 1}}}"
        values = _rationals(fixed[position - 1]) if position - 1 < len(fixed) else {}
        rows, cols = (dims[position - 1], dims[position]) if dims else (None, None)
        names.append(name)
        drawn.append(f"{name} = {_bare(rows, cols, values)}")
    factors = [terms[free - 1] if p == free else f"F_{{{first + p - 1}}}" for p in range(1, count + 1)]
    return [
        para("Fix ", Math(", ".join(names)), " as follows:"),
        displays(drawn),
        para(
            "Then ", Math(f"{terms[free - 1]} \\mapsto {' '.join(factors)}"),
            " is linear on the matrices supported on ", Math(supports[free - 1]), ", with values in ", Math(target),
            "; its matrix (one row per cell, one column per allowed entry) has rank ",
            Math(str(rank) if rank is not None else "|S|"), ", the number of cells, so the map is onto ",
            Math(target), ".",
        ),
    ]


def _sub_chain(after: Chain | None, first: int, last: int) -> tuple[int, ...] | None:
    return after.dims[first - 1: last + 1] if after else None


def _fixed_factor_closed(proof: dict[str, Any], after: Chain | None, m: Names) -> list[Block]:
    M = m.length
    blocks: list[Block] = [para(
        "Let ", Math("S"), " be the boolean product support of the chain, the cells joined by an index path"
        + (":" if after else "."),
    )]
    cells = None
    if after:
        support = product_support(after.factors)
        cells = len(support)
        blocks.append(Display(support_tex("S", after.dims[0], after.dims[-1], support)))
    blocks += _fixed_map(
        proof, _sub_chain(after, 1, M), 1, [m.W(level) for level in range(1, M + 1)],
        [m.I(level) for level in range(1, M + 1)], "\\mathbb{R}^{S}", cells,
    )
    blocks.append(para(
        "Every value of this map is a product, and ", Math(f"{m.P} \\subseteq \\mathbb{{R}}^{{S}}"),
        " (chain support lemma); so ", Math(f"{m.P} = \\mathbb{{R}}^{{S}}"),
        f", a linear space, closed (chain fixed-factor lemma, {THEORY}).",
    ))
    return blocks


def _index_set(values: list[Any]) -> str:
    return "\\{" + ",".join(str(int(v)) for v in values) + "\\}"


def _bottleneck_closed(proof: dict[str, Any], after: Chain | None, m: Names) -> list[Block]:
    M = m.length
    level, k = int(proof["level"]), int(proof["index"])
    R, C = proof.get("rows", []), proof.get("cols", [])
    left = m.product(1, level) if level == 1 else f"({m.product(1, level)})"
    right = m.product(level + 1, M) if level + 1 == M else f"({m.product(level + 1, M)})"
    x, y = f"x = {left}[:, {k}]", f"y^{{\\top}} = {right}[{k}, :]"
    left_dims = after.dims[:level] + (1,) if after else None
    right_dims = (1,) + after.dims[level + 1:] if after else None
    left_terms = [m.W(l) for l in range(1, level)] + [f"{m.W(level)}[:, {k}]"]
    left_supports = [m.I(l) for l in range(1, level)] + [f"{m.I(level)}[:, {k}]"]
    right_terms = [f"{m.W(level + 1)}[{k}, :]"] + [m.W(l) for l in range(level + 2, M + 1)]
    right_supports = [f"{m.I(level + 1)}[{k}, :]"] + [m.I(l) for l in range(level + 2, M + 1)]
    return [
        para(
            "Every index path passes through inner index ", Math(str(k)), " between ", Math(m.W(level)), " and ",
            Math(m.W(level + 1)), ". So ", Math(f"{m.product()} = x y^{{\\top}}"), " with ", Math(x), " and ",
            Math(y), "; the two depend on disjoint sets of entries (the entries of ", Math(m.W(level)),
            " outside column ", Math(str(k)), " and of ", Math(m.W(level + 1)), " outside row ", Math(str(k)),
            " lie on no path), ", Math("x"), " is supported on ", Math(f"R = {_index_set(R)}"), " and ", Math("y"),
            " on ", Math(f"C = {_index_set(C)}"), ".",
        ),
        para("The vectors ", Math("x"), " fill ", Math("\\mathbb{R}^{R}"), ":"),
        *_fixed_map(proof.get("left", {}), left_dims, 1, left_terms, left_supports, "\\mathbb{R}^{R}", len(R)),
        para("The vectors ", Math("y^{\\top}"), " fill ", Math("\\mathbb{R}^{C}"), ":"),
        *_fixed_map(proof.get("right", {}), right_dims, level + 1, right_terms, right_supports, "\\mathbb{R}^{C}", len(C)),
        para(
            "Hence ", Math(f"{m.P} = \\{{ x y^{{\\top}} : \\operatorname{{supp}} x \\subseteq R,\\ "
                           f"\\operatorname{{supp}} y \\subseteq C \\}}"),
            ", the matrices of rank at most 1 supported on ", Math("R \\times C"),
            f", a closed set (determinantal lemma; chain bottleneck lemma, {THEORY}).",
        ),
    ]


def _orbit_closed(proof: dict[str, Any], after: Chain | None, m: Names) -> list[Block]:
    M = m.length
    prefix, suffix = proof.get("prefix"), proof.get("suffix")
    k = int(prefix["length"]) if prefix else 1
    k2 = int(suffix["length"]) if suffix else 1
    first_suffix = M - k2 + 1
    blocks: list[Block] = [para(
        "Let ", Math("S'"), " and ", Math("S''"), " be the boolean product supports of the prefix ",
        Math(m.product(1, k)), " and of the suffix ", Math(m.product(first_suffix, M)), ", and ", Math("S"),
        " that of the whole chain" + (":" if after else "."),
    )]
    cells = None
    if after:
        S1, S2 = product_support(after.factors[:k]), product_support(after.factors[first_suffix - 1:])
        S = product_support(after.factors)
        cells = (len(S1), len(S2))
        dims = after.dims
        blocks.append(displays([
            support_tex("S'", dims[0], dims[k], S1), support_tex("S''", dims[first_suffix - 1], dims[M], S2),
            support_tex("S", dims[0], dims[M], S),
        ]))
    for part, length, first, target, name in ((prefix, k, 1, "S'", "prefix"), (suffix, k2, first_suffix, "S''", "suffix")):
        last = first + length - 1
        if part is None or length == 1:
            blocks.append(para(
                f"The {name} is one factor: its products ", Math(m.W(first)), " fill ",
                Math(f"\\mathbb{{R}}^{{{target}}}"), " trivially.",
            ))
            continue
        blocks.append(para(f"The products of the {name} fill ", Math(f"\\mathbb{{R}}^{{{target}}}"), ":"))
        blocks += _fixed_map(
            part, _sub_chain(after, first, last), first, [m.W(l) for l in range(first, last + 1)],
            [m.I(l) for l in range(first, last + 1)], f"\\mathbb{{R}}^{{{target}}}",
            (cells[0] if name == "prefix" else cells[1]) if cells else None,
        )
    blocks.append(para(
        "The row patterns of ", Math("S'"), " (the sets of columns of its rows) are totally ordered by inclusion, "
        "and so are the column patterns of ", Math("S''"), ". So invertible diagonal scalings, adding a multiple of a "
        "row to a row with a larger pattern and of a column to a column with a larger pattern map ", Math(m.P),
        " and its Zariski closure ", Math("Z"), " into themselves, and bring every matrix on ", Math("S"),
        " to a partial permutation matrix ", Math("\\sigma"), " (at most one 1 per row and per column) on ",
        Math("S"), ".",
    ))
    generators = proof.get("generators", [])
    if generators:
        blocks += [
            para(
                "The polynomials below, in the entries ", Math("a_{i,j}"), " of the product, vanish identically on ",
                Math(m.product()), " (checked by expansion), so their zero set ", Math("V"), " contains ", Math("Z"), ":",
            ),
            Display("\\begin{aligned} " + " \\\\ ".join(
                f"g_{{{index}}} &= {poly(generator)}" for index, generator in enumerate(generators, start=1)
            ) + " \\end{aligned}"),
        ]
    else:
        blocks.append(para("No polynomial is listed: take ", Math("V = \\mathbb{C}^{S}"), ", which contains ", Math("Z"), "."))
    factorisations = proof.get("factorisations", [])
    rows, cols = (after.dims[0], after.dims[-1]) if after else (None, None)
    items = []
    for item in factorisations[:MAX_FACTORISATIONS]:
        sigma = {(int(i), int(j)): Fraction(1) for i, j in item.get("ones", [])}
        factors = [
            _bare(*((after.dims[level], after.dims[level + 1]) if after else (None, None)), _rationals(values))
            for level, values in enumerate(item.get("factors", []))
        ]
        items.append(para(Math(f"{_bare(rows, cols, sigma)} = " + " ".join(factors))))
    more = len(factorisations) - MAX_FACTORISATIONS
    blocks += [
        para(
            f"Each of the {len(factorisations)} partial permutation matrices ", Math("\\sigma"), " on ", Math("S"),
            " lying on ", Math("V"), " is a product ", Math(f"\\sigma = {m.product()}"),
            " of exact factors respecting the supports"
            + (f"; the first {MAX_FACTORISATIONS}, the others in the certificate:" if more > 0 else ":"),
        ),
        Items(tuple(items)),
        para(
            "So every point of ", Math("Z(\\mathbb{R})"), " is ", Math("g \\sigma h"), " with ", Math("\\sigma"),
            " a product and ", Math("g"), ", ", Math("h"), " mapping ", Math(m.P), " into itself: ",
            Math(f"{m.P} = Z(\\mathbb{{R}})"), f", the real zero set of polynomials, closed (chain orbit lemma, {THEORY}).",
        ),
    ]
    return blocks


def _kronecker_closed(proof: dict[str, Any], m: Names) -> list[Block]:
    patterns = [tuple(int(v) for v in pattern) for pattern in proof.get("patterns", [])]
    if not patterns:
        return [para(f"By the chainable Kronecker-sparse lemma ({proof.get('lemma', '')}, {THEORY}).")]
    pairs = []
    for level, ((a, b, c, d), (a2, b2, c2, d2)) in enumerate(pairwise(patterns), start=1):
        pairs.append(para(Math(
            f"({a},{b},{c},{d}), ({a2},{b2},{c2},{d2})\\colon\\ {a * c * d} = {a2 * b2 * d2},\\ {a} \\mid {a2},\\ "
            f"{d2} \\mid {d},\\ {a2} \\mid {a * c},\\ r_{{{level}}} = {rat(Fraction(a * c, a2))}"
        )))
    (a1, b1, _, d1), (aN, _, cN, dN) = patterns[0], patterns[-1]
    tau = f"({a1},{rat(Fraction(b1 * d1, dN))},{rat(Fraction(aN * cN, a1))},{dN})"
    blocks: list[Block] = [
        para(
            "Every support is a Kronecker-sparse pattern ",
            Math("S_{(a,b,c,d)} = \\mathrm{Id}_a \\otimes \\mathbf{1}_{b \\times c} \\otimes \\mathrm{Id}_d"),
            " (of size ", Math("abd \\times acd"), "):",
        ),
        Items(tuple(
            para(Math(f"{m.I(level)} = S_{{({a},{b},{c},{d})}}")) for level, (a, b, c, d) in enumerate(patterns, start=1)
        )),
    ]
    if pairs:
        blocks += [
            para(
                "and consecutive patterns ", Math("(a,b,c,d), (a',b',c',d')"), " are chainable: ", Math("acd = a'b'd'"),
                ", ", Math("a \\mid a'"), ", ", Math("d' \\mid d"), " and ", Math("a' \\mid ac"), ", with rank ",
                Math("r = ac/a'"), ":",
            ),
            Items(tuple(pairs)),
        ]
    reference = proof.get("reference") or f"arXiv:2411.04506; {THEORY}"
    blocks.append(para(
        "By the chainable Kronecker-sparse lemma (chainable Kronecker theorem, ", reference, "), ", Math(m.P),
        " is the set of matrices supported on ", Math(f"S_{{{tau}}}"), " whose blocks at each split ", Math("\\ell"),
        " have rank at most ", Math("r_\\ell"), ": it is cut out by vanishing entries and vanishing minors, so it is closed.",
    ))
    return blocks


def _zariski_closed(proof: dict[str, Any], m: Names) -> list[Block]:
    blocks: list[Block] = [para(
        "Let ", Math("Z"), " be the Zariski closure of ", Math(m.P), "; then ", Math(f"{m.P} \\subseteq Z(\\mathbb{{R}})"),
        ", a closed set. An engine decided that every real point of ", Math("Z"), " is a product, so ",
        Math(f"{m.P} = Z(\\mathbb{{R}})"), f" is closed (chain Zariski-closure criterion, {THEORY}).",
    )]
    for index, record in enumerate(proof.get("records", [])):
        blocks.append(para(
            f"Engine record {index}: {record.get('engine', '')} {record.get('version', '')} answered "
            f"{record.get('result', '')} ({record.get('logic', '')}); this step rests on that engine, "
            "not on an independently checkable certificate."
        ))
    return blocks


def _reduced_closed(reduced: dict[str, Any], m: Names) -> list[Block]:
    if reduced.get("kind") == "chain":
        chain = chain_of(reduced)
        n = Names(m.prime, len(chain.factors))
        return [
            para("The reduced certificate proves ", Math(n.P), f" closed (chain reduction, {THEORY}). In its notation,"),
            *chain_setting(chain, n),
            *_chain_closed_body(reduced, chain, n),
        ]
    statement, body = closed(reduced)
    return [
        para(
            "Two factors are left: the set of products ", Math(m.P), " is the two-factor set ", Math("P_{I,J}"),
            " with ", Math(f"I = {m.I(1)}"), ", ", Math(f"J = {m.I(2)}^{{\\top}}"), " (", Math(f"X = {m.W(1)}"), ", ",
            Math(f"Y = {m.W(2)}^{{\\top}}"), f"), which the reduced certificate proves closed (chain reduction, {THEORY}). "
            "In its notation,",
        ),
        *statement[:-1],
        *body,
    ]


def _closing_lemma(proof: dict[str, Any], after: Chain | None, m: Names) -> list[Block]:
    """What closes the chain left by the steps (named by ``m``)."""
    lemma = proof.get("lemma", "")
    if lemma == "one factor":
        return [para(
            "Only one factor is left: ", Math(f"{m.P} = \\{{ {m.W(1)} \\}}"),
            " is the linear space of the matrices supported on ", Math(m.I(1)), f", closed (one-factor lemma, {THEORY}).",
        )]
    if lemma == "chain support lemma":
        return [para(
            "No index path ", Math("i = k_0 \\to k_1 \\to \\dots \\to k_N = j"), " crosses the chain: the boolean "
            "product of ", Math(m.supports()), " is empty, so every product is 0 and ", Math(f"{m.P} = \\{{0\\}}"),
            f", closed (chain support lemma, {THEORY}).",
        )]
    if lemma == "chain fixed-factor lemma":
        return _fixed_factor_closed(proof, after, m)
    if lemma == "chain bottleneck lemma":
        return _bottleneck_closed(proof, after, m)
    if lemma == "chain orbit lemma":
        return _orbit_closed(proof, after, m)
    if lemma == "chainable Kronecker theorem":
        return _kronecker_closed(proof, m)
    if lemma == "chain Zariski-closure criterion":
        return _zariski_closed(proof, m)
    if lemma == "chain reduction" and isinstance(proof.get("reduced"), dict):
        return _reduced_closed(proof["reduced"], m)
    return [para(f"By the {lemma}: {proof.get('argument', '')}")]


def _chain_closed_body(cert: dict[str, Any], chain: Chain, n: Names) -> list[Block]:
    steps = cert.get("steps", [])
    proof = cert.get("proof", {})
    after = replay(chain, steps) if steps else chain
    m = Names(n.prime + "'", len(after.factors) if after else 0) if steps else n
    body: list[Block] = []
    if steps:
        body += [
            para(
                "The reductions below keep the set of products unchanged, each by its condition (a full-pair step by "
                "the full-space lemma), so they leave a chain ", Math(m.C), " whose set of products ", Math(m.P),
                " equals ", Math(n.P), f" (set-equality principle, {THEORY}); levels and indices in each step refer "
                "to the chain left by the previous ones:",
            ),
            steps_items(steps, n),
        ]
        if after is not None and proof.get("lemma") != "chain reduction":
            body += [
                para("They leave ", Math(f"{m.C} = ({m.supports()})"), ":"),
                displays([
                    support_tex(m.I(level), after.dims[level - 1], after.dims[level], after.factors[level - 1])
                    for level in range(1, m.length + 1)
                ]),
            ]
    body += _closing_lemma(proof, after, m)
    body.append(para("Hence ", Math(n.P), " is closed."))
    return body


def chain_closed(cert: dict[str, Any]) -> tuple[list[Block], list[Block]]:
    """The CLOSED statement and proof of a chain certificate."""
    chain = chain_of(cert)
    n = Names("", len(chain.factors))
    statement = chain_setting(chain, n) + [para("Then ", Math(n.P), " is closed.")] + engine_record_note(cert)
    return statement, _chain_closed_body(cert, chain, n)
