"""The synthetic network's sites: locations and the holidays they keep, and the plants'
shop floors (work centres, their shifts and downtime, and the people on them).

Work centres are numbered when the network is laid out, but their units,
shifts and crews are sized last (``size_shop_floor``), from the load the
generated demand puts on each: most run at TARGET_LOAD on average over the
horizon, a plant's one or two busiest at BOTTLENECK_LOAD.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from planning.contract import LOCATION_TYPES
from planning.extract.arrays import codes, rank_in_run, repeat_rank
from planning.extract.holidays import public_holidays


@dataclass(frozen=True)
class Process:
    """A shop-floor process: one work centre type and the skill that runs it."""

    code: str
    skill: str
    run_minutes: float  # median run time, minutes per unit
    setup_minutes: float  # median setup time, minutes
    subassembly_weight: float  # relative chance a subassembly routing uses it; 0 = never
    finished_good_share: float  # share of finished-good routings that use it
    family_setups: bool  # changeovers depend on the part family (material, fixture, colour)


PROCESSES = (
    Process("CUT", "cutting", 1.5, 20, 3.0, 0.0, True),
    Process("MCH", "machining", 6.0, 45, 4.0, 0.0, True),
    Process("WLD", "welding", 8.0, 30, 2.0, 0.0, True),
    Process("PNT", "painting", 3.0, 60, 1.5, 0.0, True),
    Process("ASM", "assembly", 12.0, 15, 2.0, 1.0, False),
    Process("TST", "testing", 5.0, 10, 0.5, 0.5, False),
    Process("PCK", "packing", 1.5, 5, 0.0, 0.8, False),
)
# Processes that get a second, third... work centre as plants grow, in that order: the
# busiest first (assembly takes every finished good and a share of subassemblies).
EXTRA_WORK_CENTERS = ("ASM", "MCH", "WLD", "CUT", "ASM", "PNT", "MCH", "TST", "PCK", "WLD", "MCH")
# Fewest extra work centres a plant has: a network of a few hundred SKUs has plants of about
# 250 hours of work a week, which ten work centres on one shift each would run at 60 %.
MIN_EXTRA_WORK_CENTERS = 1
SETUP_FAMILIES = "ABCDEF"  # families of a process share a setup family by family number


@dataclass(frozen=True)
class Shift:
    start: str  # HH:MM
    end: str  # HH:MM; at or before start means it ends the next day
    weekdays: tuple[int, ...]  # 0 = Monday


EARLY = Shift("06:00", "14:00", (0, 1, 2, 3, 4))
LATE = Shift("14:00", "22:00", (0, 1, 2, 3, 4))
NIGHT = Shift("22:00", "06:00", (0, 1, 2, 3, 4))
SHIFT_HOURS = 8
CREWS = (EARLY, LATE, NIGHT)  # personnel shifts
EARLY_MON_WED = Shift("06:00", "14:00", (0, 1, 2))
EARLY_MON_THU = Shift("06:00", "14:00", (0, 1, 2, 3))
LATE_MON_WED = Shift("14:00", "22:00", (0, 1, 2))
NIGHT_MON_WED = Shift("22:00", "06:00", (0, 1, 2))
# What a work centre runs, fewest hours first: the early shift three to five days a week, a
# late and a night shift three or five days. Each gets the pattern and unit count that bring
# it closest to its target. The three- and four-day early shifts are for the light work
# centres of small plants (a paint booth or a packing table run part of the week), which a
# full week's shift would leave half idle. No Saturday shift: one work centre's Saturday
# makes Saturday a working day of its whole plant, and a quarter of the plan's work orders
# started on one.
SHIFT_PATTERNS = (
    (EARLY_MON_WED,),
    (EARLY_MON_THU,),
    (EARLY,),
    (EARLY, LATE_MON_WED),
    (EARLY, LATE),
    (EARLY, LATE, NIGHT_MON_WED),
    (EARLY, LATE, NIGHT),
)
PART_TIME = np.array([sum(len(s.weekdays) for s in pattern) < 5 for pattern in SHIFT_PATTERNS])
# Average load of a work centre over the horizon (required / available hours) in the plan:
# most sit in TARGET_LOAD, inside the 60-90 % a planner expects, the one or two busiest of a
# plant are its bottlenecks, whose busier weeks reach 95-120 %. Weeks swing by about a quarter
# around the average (lots, holidays, the build-up before a shutdown), and the horizon's
# first and last weeks are lighter, so neither sits at the band's top.
TARGET_LOAD = (0.62, 0.72)
BOTTLENECK_LOAD = (0.76, 0.82)
# The plan's load over the generator's estimate of it (1.04-1.26 on the sample): the estimate
# nets the horizon's demand in one sum where the plan nets period by period, and takes a
# typical lot where the plan's lots round up to minimums, multiples and whole units.
PLANNED_OVER_ESTIMATE = 1.12
CREW_MARGIN = 1.25  # people per unit a crew has, for breaks between operations and absence
MAX_OPERATION_MINUTES = 420  # a work order's operation fits in one person's 8-hour shift
# (city, ISO country code whose public holidays the site keeps)
PLANT_CITIES = (
    ("Eindhoven", "NL"), ("Leeds", "GB"), ("Brno", "CZ"), ("Porto", "PT"), ("Bilbao", "ES"),
    ("Graz", "AT"),
)  # fmt: skip
WAREHOUSE_CITIES = (("Venlo", "NL"), ("Duisburg", "DE"), ("Zaragoza", "ES"))
DC_CITIES = (
    ("Milan", "IT"), ("Madrid", "ES"), ("Paris", "FR"), ("Hamburg", "DE"), ("Warsaw", "PL"),
    ("Stockholm", "SE"), ("Dublin", "IE"), ("Vienna", "AT"), ("Lisbon", "PT"), ("Prague", "CZ"),
    ("Copenhagen", "DK"), ("Athens", "GR"), ("Budapest", "HU"), ("Oslo", "NO"), ("Zurich", "CH"),
)  # fmt: skip
SHUTDOWN = "Plant shutdown"  # holidays.csv name of the days a plant closes for a week
FIRST_NAMES = (
    "Anna", "Bram", "Chloe", "Daan", "Eva", "Finn", "Greta", "Hugo", "Ines", "Jonas", "Klara",
    "Luca", "Mila", "Noah", "Olga", "Piet", "Rosa", "Sven", "Tess", "Yusuf",
)  # fmt: skip
LAST_NAMES = (
    "de Vries", "Smith", "Novak", "Silva", "Garcia", "Huber", "Jansen", "Brown", "Dvorak",
    "Costa", "Moreno", "Gruber", "Bakker", "Taylor", "Horak", "Santos", "Ruiz", "Wagner",
)  # fmt: skip
DOWNTIME_REASONS = ("preventive maintenance", "calibration", "tooling change", "breakdown repair")


@dataclass(frozen=True)
class NetworkScale:
    """How many sites and shared resources a network of ``skus`` SKUs has."""

    plants: int
    warehouses: int
    dcs: int
    extra_work_centers: int  # work centres per plant beyond one per process
    consumables: int  # items bought at every plant
    suppliers: int
    customers: int

    @classmethod
    def for_skus(cls, skus: int) -> NetworkScale:
        decades = math.log10(skus)
        plants = int(np.clip(2 + math.floor(decades - 3), 2, len(PLANT_CITIES)))
        return cls(
            plants=plants,
            warehouses=min(1 + (plants - 2) // 2, len(WAREHOUSE_CITIES)),
            dcs=min(3 * (plants - 1), len(DC_CITIES)),
            extra_work_centers=int(
                np.clip(round(2 * (decades - 2)), MIN_EXTRA_WORK_CENTERS, len(EXTRA_WORK_CENTERS))
            ),
            consumables=int(np.clip(skus // 2000, 6, 400)),
            suppliers=int(np.clip(skus // 200, 8, 3000)),
            customers=int(np.clip(skus // 50, 20, 20_000)),
        )

    @property
    def distribution_locations(self) -> int:
        return self.warehouses + self.dcs

    @property
    def max_breadth(self) -> int:
        """Most warehouses and DCs stocking one finished good."""
        return min(5, self.distribution_locations)


@dataclass(frozen=True)
class Sites:
    """Locations (plants first, then warehouses, then DCs) and the plants' shop floors."""

    location_id: pl.Series
    plants: int
    transit_days: np.ndarray  # (plants, distribution locations) lead time plant -> warehouse/DC
    work_center_first: np.ndarray  # (plants, processes) row of the first work centre of a process
    work_center_count: np.ndarray  # (plants, processes) work centres of a process at a plant
    work_center_id: pl.Series
    work_center_plant: np.ndarray
    work_center_process: np.ndarray  # PROCESSES row
    efficiency: np.ndarray  # per work centre
    working_share: np.ndarray  # per plant: share of the horizon's weekdays that are not holidays
    work_centers: pl.DataFrame  # work_centers.csv rows without capacity_units
    tables: dict[str, pl.DataFrame]  # locations, holidays, downtime


def build_sites(scale: NetworkScale, rng: np.random.Generator, as_of: date, last: date) -> Sites:
    """Locations, their holidays from as_of to last, and the plants' work centres and downtime."""
    locations = _locations(scale)
    transit_days = np.concatenate(
        [
            rng.integers(0, 3, (scale.plants, scale.warehouses)),  # warehouses sit near plants
            rng.integers(2, 8, (scale.plants, scale.dcs)),
        ],
        axis=1,
    )
    extra = np.clip(
        scale.extra_work_centers + rng.integers(-1, 2, scale.plants),
        MIN_EXTRA_WORK_CENTERS,
        len(EXTRA_WORK_CENTERS),
    )
    codes = [p.code for p in PROCESSES]
    work_center_count = np.array(
        [[1 + EXTRA_WORK_CENTERS[:n].count(code) for code in codes] for n in extra]
    )
    work_center_first = (np.cumsum(work_center_count) - work_center_count.ravel()).reshape(
        work_center_count.shape
    )
    plant_ids = locations["location_id"][: scale.plants]
    plant = np.repeat(np.arange(scale.plants), work_center_count.sum(axis=1))
    process = np.repeat(np.tile(np.arange(len(PROCESSES)), scale.plants), work_center_count.ravel())
    work_centers = _work_centers(plant_ids, plant, process, rng)
    holidays = _holidays(locations, scale.plants, as_of, last)
    return Sites(
        location_id=locations["location_id"],
        plants=scale.plants,
        transit_days=transit_days,
        work_center_first=work_center_first,
        work_center_count=work_center_count,
        work_center_id=work_centers["work_center_id"],
        work_center_plant=plant,
        work_center_process=process,
        efficiency=work_centers["efficiency"].to_numpy(),
        working_share=_working_share(plant_ids, holidays, as_of, last),
        work_centers=work_centers,
        tables={
            "locations": locations.drop("country"),
            "holidays": holidays,
            "downtime": _downtime(work_centers["work_center_id"], rng, as_of),
        },
    )


def _locations(scale: NetworkScale) -> pl.DataFrame:
    """locations.csv rows, plus the country each site keeps the holidays of."""
    plant, warehouse, dc = LOCATION_TYPES
    sites = [
        (f"{prefix}{i + 1:02d}", location_type, f"{title}{city}", country)
        for prefix, location_type, title, cities in (
            ("PL", plant, "Plant ", PLANT_CITIES[: scale.plants]),
            ("WH", warehouse, "Warehouse ", WAREHOUSE_CITIES[: scale.warehouses]),
            ("DC", dc, "DC ", DC_CITIES[: scale.dcs]),
        )
        for i, (city, country) in enumerate(cities)
    ]
    return pl.DataFrame(
        sites, schema=["location_id", "location_type", "name", "country"], orient="row"
    )


def _holidays(locations: pl.DataFrame, plants: int, as_of: date, last: date) -> pl.DataFrame:
    """Each site's public holidays from as_of to last, and a week's shutdown at every other
    plant.

    The shutdown is the working days between Christmas and New Year when the
    horizon holds them, else the week thirteen weeks after as-of's Monday.
    """
    rows = [
        (location_id, day, name)
        for location_id, country in locations.select("location_id", "country").iter_rows()
        for day, name in public_holidays(country, as_of, last)
    ]
    shutdown = _shutdown_week(as_of, last)
    closed = set((location_id, day) for location_id, day, _ in rows)
    rows += [
        (location_id, day, SHUTDOWN)
        for location_id in locations["location_id"][:plants:2]
        for day in shutdown
        if (location_id, day) not in closed
    ]
    return pl.DataFrame(
        sorted(rows),
        schema={"location_id": pl.String, "date": pl.Date, "name": pl.String},
        orient="row",
    )


def _shutdown_week(as_of: date, last: date) -> list[date]:
    """Monday to Friday days of a plant's shutdown week inside as_of..last."""
    for year in (as_of.year, as_of.year + 1):
        days = [date(year, 12, d) for d in range(27, 32)]
        if as_of <= days[0] and days[-1] <= last:
            return [d for d in days if d.weekday() < 5]
    monday = as_of - timedelta(days=as_of.weekday()) + timedelta(weeks=13)
    return [monday + timedelta(days=d) for d in range(5)]


def _working_share(
    plant_ids: pl.Series, holidays: pl.DataFrame, as_of: date, last: date
) -> np.ndarray:
    """Per plant, the share of the Monday-to-Friday days from as_of to last that are not
    holidays."""
    days = pl.date_range(as_of, last, eager=True)
    weekdays = int((days.dt.weekday() <= 5).sum())
    closed = holidays.filter(pl.col("date").dt.weekday() <= 5)["location_id"].value_counts()
    closed_days = dict(closed.iter_rows())
    return np.array([1 - closed_days.get(plant, 0) / weekdays for plant in plant_ids])


def _work_centers(
    plant_ids: pl.Series, plant: np.ndarray, process: np.ndarray, rng: np.random.Generator
) -> pl.DataFrame:
    """Work centres per plant and process, numbered within the process: ``PL01-MCH2``."""
    number = rank_in_run(np.r_[True, (plant[1:] != plant[:-1]) | (process[1:] != process[:-1])]) + 1
    codes = pl.Series([p.code for p in PROCESSES]).gather(process)
    skills = pl.Series([p.skill.capitalize() for p in PROCESSES]).gather(process)
    n = len(plant)
    number_text = pl.Series(number).cast(pl.String)
    return pl.DataFrame(
        {
            "work_center_id": plant_ids.gather(plant) + "-" + codes + number_text,
            "location_id": plant_ids.gather(plant),
            "name": skills + " " + number_text,
            "efficiency": np.round(rng.uniform(0.85, 1.0, n), 2),
        }
    )


def size_shop_floor(
    sites: Sites, weekly_minutes: np.ndarray, rng: np.random.Generator
) -> dict[str, pl.DataFrame]:
    """work_centers, shifts and personnel, sized to the load the demand puts on each work centre.

    ``weekly_minutes`` is each work centre's average required minutes a week
    over the horizon (at the work centre's efficiency), which the plan's load
    exceeds by about PLANNED_OVER_ESTIMATE. A work centre gets the fewest units
    that can carry its target load on three shifts, or one more, with the shift
    pattern whose hours bring it closest to the target; the one or two busiest
    of each plant are its bottlenecks. Crews have enough people of the skill for
    every unit running on their shift.
    """
    target = _target_load(sites, weekly_minutes, rng)
    pattern_hours = np.array(
        [sum(SHIFT_HOURS * len(shift.weekdays) for shift in pattern) for pattern in SHIFT_PATTERNS]
    )
    # weekly_minutes is already at the work centre's efficiency: hours of a unit are clock hours
    unit_hours = sites.working_share[sites.work_center_plant]
    required_hours = PLANNED_OVER_ESTIMATE * weekly_minutes / 60
    fewest = np.maximum(np.ceil(required_hours / (target * unit_hours * pattern_hours[-1])), 1)
    candidates = fewest[:, None] + np.repeat([0, 1], len(SHIFT_PATTERNS))  # (centres, choices)
    hours = np.tile(pattern_hours, 2)
    load = required_hours[:, None] / (candidates * unit_hours[:, None] * hours)
    # part of the week is for a single light unit: two would run a full week instead
    load = np.where((candidates > 1) & np.tile(PART_TIME, 2), np.inf, load)
    # closest by ratio: 20 % under the target is as far as 25 % over it (a week's swing
    # above the average hurts more than spare hours)
    choice = np.argmin(np.abs(np.log(load / target[:, None])), axis=1)
    units = candidates[np.arange(len(choice)), choice]
    pattern = choice % len(SHIFT_PATTERNS)
    return {
        "work_centers": sites.work_centers.with_columns(capacity_units=units.astype(np.int64)),
        "shifts": _shifts(sites.work_center_id, pattern),
        "personnel": _personnel(sites, units, pattern, rng),
    }


def _target_load(sites: Sites, weekly_minutes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Average load each work centre is sized for: the busiest one or two of a plant higher."""
    n = len(weekly_minutes)
    busiest_first = np.lexsort((-weekly_minutes, sites.work_center_plant))
    rank = np.empty(n, np.int64)
    rank[busiest_first] = rank_in_run(
        np.r_[True, np.diff(sites.work_center_plant[busiest_first]) != 0]
    )
    bottlenecks = rng.integers(1, 3, sites.plants)[sites.work_center_plant]
    return np.where(
        (rank < bottlenecks) & (weekly_minutes > 0),
        rng.uniform(*BOTTLENECK_LOAD, n),
        rng.uniform(*TARGET_LOAD, n),
    )


def _shifts(work_center_id: pl.Series, pattern: np.ndarray) -> pl.DataFrame:
    """Each work centre's SHIFT_PATTERNS row as shifts.csv rows, by weekday and start."""
    rows = [
        (center, weekday, shift.start, shift.end)
        for center, p in enumerate(pattern.tolist())
        for shift in SHIFT_PATTERNS[p]
        for weekday in shift.weekdays
    ]
    center, weekday, start, end = (np.array(column) for column in zip(*rows, strict=True))
    order = np.lexsort((start, weekday, center))
    return pl.DataFrame(
        {
            "work_center_id": work_center_id.gather(center[order]),
            "weekday": weekday[order].astype(np.int64),
            "start_time": start[order],
            "end_time": end[order],
        }
    )


def _downtime(work_center_id: pl.Series, rng: np.random.Generator, as_of: date) -> pl.DataFrame:
    """Up to two stops per work centre in the first four weeks, in different weeks."""
    windows = rng.choice(3, len(work_center_id), p=[0.4, 0.4, 0.2])
    center = np.repeat(np.arange(len(work_center_id)), windows)
    week = np.argsort(rng.random((len(work_center_id), 4)), axis=1)[center, repeat_rank(windows)]
    n = len(center)
    start_hours = 24 * (7 * week + rng.integers(0, 5, n)) + rng.integers(6, 19, n)
    duration_hours = rng.choice([2, 4, 8, 12], n)
    midnight = np.datetime64(as_of, "D").astype("datetime64[us]")
    return pl.DataFrame(
        {
            "work_center_id": work_center_id.gather(center),
            "start_at": midnight + start_hours.astype("timedelta64[h]"),
            "end_at": midnight + (start_hours + duration_hours).astype("timedelta64[h]"),
            "reason": pl.Series(DOWNTIME_REASONS).gather(rng.integers(0, len(DOWNTIME_REASONS), n)),
        }
    )


def _personnel(
    sites: Sites, units: np.ndarray, pattern: np.ndarray, rng: np.random.Generator
) -> pl.DataFrame:
    """People per plant, process and crew: CREW_MARGIN per unit running on the crew's shift
    (at least one per process and plant), a third of them with a second or third skill."""
    runs = np.array(
        [[any(s.start == crew.start for s in SHIFT_PATTERNS[p]) for crew in CREWS] for p in pattern]
    )
    cell = sites.work_center_plant * len(PROCESSES) + sites.work_center_process
    cells = sites.plants * len(PROCESSES)
    crew_units = np.stack(
        [np.bincount(cell, weights=units * runs[:, c], minlength=cells) for c in range(len(CREWS))],
        axis=1,
    )
    people = np.ceil(CREW_MARGIN * crew_units).astype(np.int64).ravel()
    people[:: len(CREWS)] = np.maximum(people[:: len(CREWS)], 1)  # an early crew everywhere
    plant_process = np.repeat(np.arange(cells), len(CREWS))
    plant, primary = np.divmod(np.repeat(plant_process, people), len(PROCESSES))
    crew = np.repeat(np.tile(np.arange(len(CREWS)), cells), people)
    n = len(plant)
    skills = rng.choice([1, 2, 3], n, p=[0.65, 0.25, 0.10])
    preference = rng.random((n, len(PROCESSES)))
    preference[np.arange(n), primary] = -1.0  # the primary skill comes first
    person = np.repeat(np.arange(n), skills)
    skill = np.argsort(preference, axis=1)[person, repeat_rank(skills)]
    names = pl.Series(FIRST_NAMES).gather(rng.integers(0, len(FIRST_NAMES), n)) + " "
    names += pl.Series(LAST_NAMES).gather(rng.integers(0, len(LAST_NAMES), n))
    rota = crew[person]
    return pl.DataFrame(
        {
            "person_id": codes("EMP-", person + 1, 5),
            "location_id": sites.location_id.gather(plant[person]),
            "skill": pl.Series([p.skill for p in PROCESSES]).gather(skill),
            "name": names.gather(person),
            "shift_start": pl.Series([s.start for s in CREWS]).gather(rota),
            "shift_end": pl.Series([s.end for s in CREWS]).gather(rota),
        }
    )
