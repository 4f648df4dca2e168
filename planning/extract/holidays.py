"""Public holidays of the European countries the synthetic network's sites are in.

A hard-coded table of each country's nationwide holidays, the fixed-date ones,
those counted from Easter (Western, or Orthodox for Greece) and those on the
n-th weekday of a month. Regional holidays and the days in lieu some countries
give when a holiday falls on a weekend are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Fixed:
    month: int
    day: int
    name: str

    def on(self, year: int, easter: date) -> date:
        return date(year, self.month, self.day)


@dataclass(frozen=True)
class FromEaster:
    days: int  # after Easter Sunday; negative before
    name: str

    def on(self, year: int, easter: date) -> date:
        return easter + timedelta(days=self.days)


@dataclass(frozen=True)
class NthWeekday:
    month: int
    weekday: int  # 0 = Monday
    n: int  # 1 = first; -1 = last
    name: str

    def on(self, year: int, easter: date) -> date:
        if self.n > 0:
            first = date(year, self.month, 1)
            return first + timedelta(days=(self.weekday - first.weekday()) % 7 + 7 * (self.n - 1))
        last = date(year + self.month // 12, self.month % 12 + 1, 1) - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - self.weekday) % 7)


Holiday = Fixed | FromEaster | NthWeekday

NEW_YEAR = Fixed(1, 1, "New Year's Day")
EPIPHANY = Fixed(1, 6, "Epiphany")
LABOUR_DAY = Fixed(5, 1, "Labour Day")
ASSUMPTION = Fixed(8, 15, "Assumption Day")
ALL_SAINTS = Fixed(11, 1, "All Saints' Day")
IMMACULATE_CONCEPTION = Fixed(12, 8, "Immaculate Conception")
CHRISTMAS_EVE = Fixed(12, 24, "Christmas Eve")
CHRISTMAS = Fixed(12, 25, "Christmas Day")
BOXING_DAY = Fixed(12, 26, "St Stephen's Day")
NEW_YEARS_EVE = Fixed(12, 31, "New Year's Eve")
GOOD_FRIDAY = FromEaster(-2, "Good Friday")
EASTER_MONDAY = FromEaster(1, "Easter Monday")
ASCENSION = FromEaster(39, "Ascension Day")
WHIT_MONDAY = FromEaster(50, "Whit Monday")
CORPUS_CHRISTI = FromEaster(60, "Corpus Christi")

HOLIDAYS: dict[str, tuple[Holiday, ...]] = {
    "AT": (
        NEW_YEAR, EPIPHANY, EASTER_MONDAY, LABOUR_DAY, ASCENSION, WHIT_MONDAY, CORPUS_CHRISTI,
        ASSUMPTION, Fixed(10, 26, "National Day"), ALL_SAINTS, IMMACULATE_CONCEPTION, CHRISTMAS,
        BOXING_DAY,
    ),
    "CH": (
        NEW_YEAR, GOOD_FRIDAY, EASTER_MONDAY, ASCENSION, WHIT_MONDAY,
        Fixed(8, 1, "Swiss National Day"), CHRISTMAS, BOXING_DAY,
    ),
    "CZ": (
        Fixed(1, 1, "Restoration Day of the Czech State"), GOOD_FRIDAY, EASTER_MONDAY, LABOUR_DAY,
        Fixed(5, 8, "Liberation Day"), Fixed(7, 5, "Saints Cyril and Methodius Day"),
        Fixed(7, 6, "Jan Hus Day"), Fixed(9, 28, "Czech Statehood Day"),
        Fixed(10, 28, "Independent Czechoslovak State Day"),
        Fixed(11, 17, "Struggle for Freedom and Democracy Day"), CHRISTMAS_EVE, CHRISTMAS,
        BOXING_DAY,
    ),
    "DE": (
        NEW_YEAR, GOOD_FRIDAY, EASTER_MONDAY, LABOUR_DAY, ASCENSION, WHIT_MONDAY,
        Fixed(10, 3, "German Unity Day"), CHRISTMAS, BOXING_DAY,
    ),
    "DK": (
        NEW_YEAR, FromEaster(-3, "Maundy Thursday"), GOOD_FRIDAY, EASTER_MONDAY, ASCENSION,
        WHIT_MONDAY, Fixed(6, 5, "Constitution Day"), CHRISTMAS_EVE, CHRISTMAS, BOXING_DAY,
    ),
    "ES": (
        NEW_YEAR, EPIPHANY, GOOD_FRIDAY, LABOUR_DAY, ASSUMPTION, Fixed(10, 12, "National Day"),
        ALL_SAINTS, Fixed(12, 6, "Constitution Day"), IMMACULATE_CONCEPTION, CHRISTMAS,
    ),
    "FR": (
        NEW_YEAR, EASTER_MONDAY, LABOUR_DAY, Fixed(5, 8, "Victory in Europe Day"), ASCENSION,
        WHIT_MONDAY, Fixed(7, 14, "Bastille Day"), ASSUMPTION, ALL_SAINTS,
        Fixed(11, 11, "Armistice Day"), CHRISTMAS,
    ),
    "GB": (
        NEW_YEAR, GOOD_FRIDAY, EASTER_MONDAY, NthWeekday(5, 0, 1, "Early May bank holiday"),
        NthWeekday(5, 0, -1, "Spring bank holiday"), NthWeekday(8, 0, -1, "Summer bank holiday"),
        CHRISTMAS, Fixed(12, 26, "Boxing Day"),
    ),
    "GR": (
        NEW_YEAR, EPIPHANY, Fixed(3, 25, "Independence Day"), FromEaster(-48, "Clean Monday"),
        GOOD_FRIDAY, EASTER_MONDAY, LABOUR_DAY, WHIT_MONDAY, ASSUMPTION, Fixed(10, 28, "Ohi Day"),
        CHRISTMAS, Fixed(12, 26, "Synaxis of the Mother of God"),
    ),
    "HU": (
        NEW_YEAR, Fixed(3, 15, "National Day"), GOOD_FRIDAY, EASTER_MONDAY, LABOUR_DAY,
        WHIT_MONDAY, Fixed(8, 20, "State Foundation Day"), Fixed(10, 23, "Republic Day"),
        ALL_SAINTS, CHRISTMAS, BOXING_DAY,
    ),
    "IE": (
        NEW_YEAR, NthWeekday(2, 0, 1, "St Brigid's Day"), Fixed(3, 17, "St Patrick's Day"),
        EASTER_MONDAY, NthWeekday(5, 0, 1, "May bank holiday"),
        NthWeekday(6, 0, 1, "June bank holiday"), NthWeekday(8, 0, 1, "August bank holiday"),
        NthWeekday(10, 0, -1, "October bank holiday"), CHRISTMAS, BOXING_DAY,
    ),
    "IT": (
        NEW_YEAR, EPIPHANY, EASTER_MONDAY, Fixed(4, 25, "Liberation Day"), LABOUR_DAY,
        Fixed(6, 2, "Republic Day"), ASSUMPTION, ALL_SAINTS, IMMACULATE_CONCEPTION, CHRISTMAS,
        BOXING_DAY,
    ),
    "NL": (
        NEW_YEAR, GOOD_FRIDAY, EASTER_MONDAY, Fixed(4, 27, "King's Day"),
        Fixed(5, 5, "Liberation Day"), ASCENSION, WHIT_MONDAY, CHRISTMAS,
        Fixed(12, 26, "Second Day of Christmas"),
    ),
    "NO": (
        NEW_YEAR, FromEaster(-3, "Maundy Thursday"), GOOD_FRIDAY, EASTER_MONDAY, LABOUR_DAY,
        Fixed(5, 17, "Constitution Day"), ASCENSION, WHIT_MONDAY, CHRISTMAS, BOXING_DAY,
    ),
    "PL": (
        NEW_YEAR, EPIPHANY, EASTER_MONDAY, LABOUR_DAY, Fixed(5, 3, "Constitution Day"),
        CORPUS_CHRISTI, ASSUMPTION, ALL_SAINTS, Fixed(11, 11, "Independence Day"),
        CHRISTMAS_EVE, CHRISTMAS, BOXING_DAY,
    ),
    "PT": (
        NEW_YEAR, GOOD_FRIDAY, Fixed(4, 25, "Freedom Day"), LABOUR_DAY, CORPUS_CHRISTI,
        Fixed(6, 10, "Portugal Day"), ASSUMPTION, Fixed(10, 5, "Republic Day"), ALL_SAINTS,
        Fixed(12, 1, "Restoration of Independence"), IMMACULATE_CONCEPTION, CHRISTMAS,
    ),
    "SE": (
        NEW_YEAR, EPIPHANY, GOOD_FRIDAY, EASTER_MONDAY, LABOUR_DAY, ASCENSION,
        Fixed(6, 6, "National Day"), CHRISTMAS_EVE, CHRISTMAS, BOXING_DAY, NEW_YEARS_EVE,
    ),
}  # fmt: skip
ORTHODOX = frozenset({"GR"})  # countries whose Easter is the Orthodox one


def public_holidays(country: str, first: date, last: date) -> list[tuple[date, str]]:
    """The country's public holidays from ``first`` to ``last`` (inclusive), by date."""
    found = {}
    for year in range(first.year, last.year + 1):
        easter = orthodox_easter(year) if country in ORTHODOX else western_easter(year)
        for holiday in HOLIDAYS[country]:
            day = holiday.on(year, easter)
            if first <= day <= last:
                found.setdefault(day, holiday.name)
    return sorted(found.items())


def western_easter(year: int) -> date:
    """Easter Sunday of the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a, (b, c) = year % 19, divmod(year, 100)
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


def orthodox_easter(year: int) -> date:
    """Easter Sunday of the Eastern churches (Meeus' Julian algorithm), as a Gregorian date."""
    a, b, c = year % 4, year % 7, year % 19
    d = (19 * c + 15) % 30
    e = (2 * a + 4 * b - d + 34) % 7
    month, day = divmod(d + e + 114, 31)
    julian_to_gregorian = year // 100 - year // 400 - 2  # 13 days in 1900-2099
    return date(year, month, day + 1) + timedelta(days=julian_to_gregorian)
