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
    run = RUN | {"run_id": evil, "extract_id": evil, "step_seconds": {evil: 1.0}}
    page = render_report(run, tables | optional)
    assert "<script" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&amp;&quot;" in page
    for section_id in ("exceptions", "schedule", "capacity", "inventory", "milestones"):
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
