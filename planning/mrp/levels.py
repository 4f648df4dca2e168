"""The order SKUs are planned in: low-level codes over one graph of BOM edges
(parent to component) and transfer edges (destination to source).

The marts give each SKU its low-level code. SKUs on a cycle of that graph, and
those below one, have none: they are planned after every coded SKU, with the
edges inside cycles dropped, so the rest of the network is still planned and
the cycle is reported as invalid data.
"""

from __future__ import annotations

import polars as pl

EDGES = {"from_idx": pl.Int64, "to_idx": pl.Int64}
LEVELS = {"sku_idx": pl.Int64, "planning_level": pl.Int64}


def network_edges(skus: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """Edges between planned SKUs: parent to component (``bom.bom_links``),
    destination to source."""
    index = skus.select("sku_id", "sku_idx")
    bom_edges = links.select(from_idx="parent_idx", to_idx="component_idx")
    transfer_edges = (
        skus.filter(pl.col("replenishment") == "transfer")
        .select(pl.col("sku_idx").alias("from_idx"), pl.col("source_sku_id").alias("sku_id"))
        .join(index.rename({"sku_idx": "to_idx"}), on="sku_id")
        .select("from_idx", "to_idx")
    )
    return pl.concat([bom_edges, transfer_edges]).unique().cast(EDGES)


def planning_levels(skus: pl.DataFrame, edges: pl.DataFrame) -> pl.DataFrame:
    """``planning_level`` per SKU: its low-level code, or past the deepest code
    for SKUs on or below a cycle (levelled again with cycle edges dropped)."""
    coded = skus.filter(pl.col("low_level_code").is_not_null()).select(
        "sku_idx", pl.col("low_level_code").cast(pl.Int64).alias("planning_level")
    )
    uncoded = skus.filter(pl.col("low_level_code").is_null())
    if uncoded.is_empty():
        return coded.cast(LEVELS)
    on_cycle = skus.filter(pl.col("is_on_cycle"))["sku_idx"]
    remaining = uncoded["sku_idx"]
    links = edges.filter(
        pl.col("from_idx").is_in(remaining.implode())
        & pl.col("to_idx").is_in(remaining.implode())
        & ~(
            pl.col("from_idx").is_in(on_cycle.implode())
            & pl.col("to_idx").is_in(on_cycle.implode())
        )
    )
    level = (coded["planning_level"].max() or 0) + 1 if not coded.is_empty() else 0
    levelled = []
    while remaining.len() > 0:
        roots = remaining.filter(~remaining.is_in(links["to_idx"].implode()))
        if roots.is_empty():  # cannot happen once cycle edges are dropped; never loop forever
            roots = remaining
        levelled.append(
            roots.to_frame("sku_idx").with_columns(planning_level=pl.lit(level, pl.Int64))
        )
        remaining = remaining.filter(~remaining.is_in(roots.implode()))
        links = links.filter(~pl.col("from_idx").is_in(roots.implode()))
        level += 1
    return pl.concat([coded, *levelled]).cast(LEVELS)


def cycles(skus: pl.DataFrame, edges: pl.DataFrame) -> pl.DataFrame:
    """The SKUs on cycles, grouped into connected groups: ``cycle`` (the smallest
    sku_idx of the group) per ``sku_idx``."""
    on_cycle = skus.filter(pl.col("is_on_cycle")).select("sku_idx")
    links = edges.join(on_cycle, left_on="from_idx", right_on="sku_idx").join(
        on_cycle, left_on="to_idx", right_on="sku_idx"
    )
    both_ways = pl.concat([links, links.select(from_idx="to_idx", to_idx="from_idx")])
    labels = on_cycle.with_columns(cycle=pl.col("sku_idx"))
    while True:  # label propagation: each node takes its neighbours' smallest label
        spread = (
            both_ways.join(labels, left_on="from_idx", right_on="sku_idx")
            .group_by("to_idx")
            .agg(pl.col("cycle").min().alias("neighbour"))
        )
        updated = labels.join(spread, left_on="sku_idx", right_on="to_idx", how="left").select(
            "sku_idx", cycle=pl.min_horizontal("cycle", "neighbour")
        )
        if updated.sort("sku_idx").equals(labels.sort("sku_idx")):
            return labels
        labels = updated
