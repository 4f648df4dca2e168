"""The report page: every section, escaping of ERP ids, sections of a run that planned less."""

from __future__ import annotations

import re
from importlib.resources import files

import polars as pl
import pytest
from report_fixtures import (
    CAPACITY_SCHEMA,
    MILESTONE_SCHEMA,
    RUN,
    SCHEDULE_SCHEMA,
    assert_well_formed,
    base_tables,
    optional_tables,
    promise,
    promise_frame,
    promised_tables,
    section,
)

from planning.report.page import (
    NOT_PLANNED,
    environment,
    render_report,
    report_context,
    write_report,
)


def test_every_section_is_there_and_the_markup_is_well_formed():
    page = render_report(RUN, base_tables() | optional_tables())
    assert page.startswith("<!DOCTYPE html>")
    assert "<header id='run'>" in page and RUN["run_id"] in page and "erp-2026-11-23" in page
    assert "1.8 s in all" in page and "validate extract 1.2 s" in page
    for section_id in ("kpis", "exceptions", "schedule", "capacity", "inventory", "milestones"):
        assert NOT_PLANNED not in section(page, section_id)
    assert_well_formed(page)
    assert_well_formed(render_report(RUN, base_tables() | promised_tables()))


def test_the_page_reaches_for_nothing_outside_itself():
    page = render_report(RUN, base_tables() | optional_tables())
    assert "<script" not in page
    assert not re.search(r"(src|href)=['\"](?!data:)", page)
    assert "@import" not in page and "url(" not in page


def test_sections_the_run_did_not_plan_say_so():
    page = render_report(RUN, base_tables())
    for section_id in ("schedule", "capacity", "milestones"):
        assert NOT_PLANNED in section(page, section_id)
    assert NOT_PLANNED in section(page, "kpis")  # the utilization card
    assert "<svg" not in section(page, "schedule")
    assert_well_formed(page)


def test_empty_optional_tables_are_planned_but_empty():
    empty = {
        "schedule": pl.DataFrame(schema=SCHEDULE_SCHEMA),
        "capacity_load": pl.DataFrame(schema=CAPACITY_SCHEMA),
        "milestone_status": pl.DataFrame(schema=MILESTONE_SCHEMA),
    }
    page = render_report(RUN, base_tables() | empty)
    assert NOT_PLANNED not in page
    assert "No operations scheduled." in section(page, "schedule")
    assert "No milestones." in section(page, "milestones")


def test_a_missing_required_table_is_an_error():
    tables = base_tables()
    del tables["pegging"]
    with pytest.raises(ValueError, match="pegging"):
        render_report(RUN, tables)


def test_every_value_from_the_erp_is_escaped():
    evil = "<script>alert('x')</script>&\""
    tables = base_tables()
    tables["exceptions"] = tables["exceptions"].with_columns(
        item_id=pl.lit(evil), ref_id=pl.lit(evil), message=pl.concat_str(pl.lit(evil), "message")
    )
    tables["projected_inventory"] = tables["projected_inventory"].with_columns(
        location_id=pl.lit(evil)
    )
    optional = optional_tables()
    optional["schedule"] = optional["schedule"].with_columns(
        order_id=pl.lit(evil), work_center_id=pl.lit(evil), person_id=pl.lit(evil)
    )
    optional["capacity_load"] = optional["capacity_load"].with_columns(
        work_center_id=pl.concat_str(pl.lit(evil), "work_center_id")
    )
    optional["milestone_status"] = optional["milestone_status"].with_columns(
        project_id=pl.lit(evil), status=pl.lit("late<b>")
    )
    optional["demand_promises"] = promised_tables()["demand_promises"].with_columns(
        demand_id=pl.lit(evil), cause_ref=pl.lit(evil), message=pl.lit(evil)
    )
    run = RUN | {"run_id": evil, "extract_id": evil, "step_seconds": {evil: 1.0}}
    page = render_report(run, tables | optional)
    assert "<script" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&amp;&quot;" in page
    for section_id in (
        "late-demand",
        "exceptions",
        "schedule",
        "capacity",
        "inventory",
        "milestones",
    ):
        assert "&lt;script&gt;" in section(page, section_id), section_id
    assert_well_formed(page)


def test_write_report_writes_the_page(tmp_path):
    path = tmp_path / "run" / "report.html"
    write_report(path, RUN, base_tables())
    assert path.read_text(encoding="utf-8") == render_report(RUN, base_tables())


# --- templates ---------------------------------------------------------------------


def test_a_section_renders_alone_from_its_template():
    # a page of another layout (the workbench) renders one section with the same macro
    tables = base_tables() | optional_tables()
    page = render_report(RUN, tables)
    context = report_context(RUN, tables)
    kpis = environment().get_template("sections/kpis.html.j2").module
    assert str(kpis.kpi_section(context["kpis"], True)) == (
        f"<section id='kpis'>{section(page, 'kpis')}</section>"
    )


def test_templates_are_written_over_lines_the_page_is_not():
    template = environment().from_string("<p>\n  {{ value }}\n  <b>bold</b> text\n</p>{{ '\\n' }}")
    assert template.render(value="it's <&>") == "<p>it&#x27;s &lt;&amp;&gt;<b>bold</b> text</p>\n"
    assert environment().from_string("<p>{{ nothing }}</p>").render(nothing=None) == "<p></p>"


def test_the_style_sheet_is_inline():
    style = (files("planning.report") / "static" / "report.css").read_text(encoding="utf-8")
    assert f"<style>\n{style}</style>" in render_report(RUN, base_tables())


# --- late demand and bottlenecks, from the promises ---------------------------------


def test_late_demand_lists_the_late_sales_order_parts_most_urgent_first():
    late = section(render_report(RUN, base_tables() | promised_tables()), "late-demand")
    assert "3 sales order lines late or not promised in the horizon, in 4 parts" in late
    table = re.search(r"<table id='late-sales-orders'.*?</table>", late).group(0)
    rows = re.findall(
        r"<tr class='(\w+)'><td>(\w+)</td><td>[^<]*</td><td class='num'>([\d.]+)</td>", table
    )
    # SO2 due day 3, SO3 day 4 (its unpromised part first), SO4 day 5
    assert rows == [
        ("late", "SO2", "4"),
        ("unpromised", "SO3", "3"),
        ("late", "SO3", "2"),
        ("unpromised", "SO4", "5"),
    ]
    assert (
        "<td>FG1@PL1</td><td class='num'>4</td>"
        "<td>2026-11-26</td><td>2026-11-28</td><td class='num'>2</td><td>capacity</td>"
        "<td>WC1</td><td class='message'>promised 2026-11-28: WC1 is full until 2026-11-26"
    ) in table
    assert "<td class='absent'>not in horizon</td><td class='num'>n/a</td>" in table
    # per cause: material SO3 2 + 3 and SO4 5, capacity SO2 4
    causes = re.search(r"<table class='summary' id='late-causes'>.*?</table>", late).group(0)
    assert re.findall(
        r"<td>(\w+)</td><td class='num'>(\d+)</td><td class='num'>(\d+)</td>", causes
    ) == [
        ("material", "3", "10"),
        ("capacity", "1", "4"),
    ]
    assert "1 forecast elements late or not promised in the horizon, in 2 parts" in late
    assert "FC2" not in late  # on time


def test_the_late_list_is_capped_like_the_exceptions():
    promises = promise_frame(
        [promise(f"SO{i:04d}", 1.0, i % 20, 25, "capacity", "WC1", "late") for i in range(600)]
    )
    page = render_report(RUN, base_tables() | {"demand_promises": promises})
    late = section(page, "late-demand")
    assert late.count("<tr class='late'>") == 500
    assert "100 more late parts not shown (the first 500 of 600, most urgent first)" in late
    assert "<td>SO0000</td>" in late and "<td>SO0599</td>" not in late
    assert "Every forecast element is promised by its due date." in late


def test_a_run_without_promises_says_so_in_late_demand():
    page = render_report(RUN, base_tables() | optional_tables())
    assert "no delivery promises in this run" in section(page, "late-demand")
    assert_well_formed(page)


def test_bottlenecks_show_the_load_before_and_after_constraints():
    capacity = section(render_report(RUN, base_tables() | promised_tables()), "capacity")
    table = re.search(r"<table class='summary' id='bottlenecks'>.*?</table>", capacity).group(0)
    cells = [
        re.findall(r"<td[^>]*>([^<]*)</td>", row)
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1])
    ]
    # WC1: 30 + 50 of 40 + 40 hours required (peak 125 %, 1 week over), 40 + 36
    # planned (peak 100 %); WC2 10 of 20, planned 10
    assert cells == [
        ["WC1", "80.0", "100.0 %", "125.0 %", "1", "95.0 %", "100.0 %", "0"],
        ["WC2", "20.0", "50.0 %", "50.0 %", "0", "50.0 %", "50.0 %", "0"],
    ]
    assert "capacity was not a constraint" not in capacity


def test_bottlenecks_without_planned_hours_have_no_load_after():
    capacity = section(render_report(RUN, base_tables() | optional_tables()), "capacity")
    assert "capacity was not a constraint in this run" in capacity
    # WC1: load 100 %, peak 125 %, 1 week over before; nothing known after
    assert (
        "<td class='num'>1</td><td class='num'>n/a</td><td class='num'>n/a</td>"
        "<td class='num'>n/a</td></tr>"
    ) in capacity


def test_the_quarantine_per_file_and_reason_and_a_gate_override_head_the_page():
    run = RUN | {
        "counts": {"sales_orders.csv": {"read": 256, "loaded": 0, "quarantined": 256}},
        "quarantine": [
            {"file": "sales_orders.csv", "field": "due_date", "reason": "not a date", "rows": 256}
        ],
        "publication_gate": {
            "published_anyway": True,
            "refusals": ["sales_orders.csv: 256 of 256 rows quarantined (100.0 %)"],
        },
    }
    page = render_report(run, base_tables())
    header = page[page.index("<header id='run'>") : page.index("</header>")]
    assert "Data quality: 256 rows quarantined, planned without" in header
    assert re.search(r"<td>sales_orders\.csv</td><td>due_date</td><td>not a date</td>", header)
    assert "Published anyway, past the publication gate: sales_orders.csv: 256 of 256" in header
    assert_well_formed(page)
    clean = render_report(RUN, base_tables())
    assert "Data quality: no row quarantined." in clean and "Published anyway" not in clean
