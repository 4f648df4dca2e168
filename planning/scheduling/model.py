"""The CP-SAT model of the finite-capacity schedule (``build_model``).

Formulation (the standard strong one for job shops, extended):

- Each operation has a start variable shared by one interval per alternative work
  center; with several alternatives the intervals are optional and exactly one is
  present (``AddExactlyOne``). Operations of an order are chained by precedence.
- A work center with one unit and no changeovers: ``AddNoOverlap`` of its intervals
  and its unavailable windows (fixed intervals).
- Several identical units and no changeovers: ``AddCumulative`` with capacity
  ``capacity_units`` (unavailable windows take every unit). Units are numbered after
  solving (``assignment.with_units``), which always succeeds for interval schedules.
  This scales far better than one optional interval per unit.
- Changeovers (some family pair has setup minutes here): one optional interval per
  unit, ``AddNoOverlap`` per unit, and ``AddCircuit`` per unit whose arc literals
  order the operations and price the changeover. The interval of an operation is
  stretched back by its changeover, so a changeover is machine time that also avoids
  unavailable windows.
- Skills: one optional interval per qualified person, exactly one present when the
  alternative needing the skill is chosen; ``AddNoOverlap`` per person with the
  windows outside their availability.
- Objective terms: weighted tardiness (sum of weight x minutes late of each order's
  last operation), makespan (``AddMaxEquality`` over order ends) and total changeover
  minutes. ``lexicographic_solve`` minimizes them one after the other.

A model covers either the whole problem or a *window* (``Scope``): only the window's
operations get variables; every other operation keeps its place in the current
assignment and enters as fixed intervals where it shares time with the window.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from planning.scheduling.assignment import Assignment, family, unit_sequences
from planning.scheduling.calendar import Calendar
from planning.scheduling.hints import add_hint
from planning.scheduling.problem import SchedulingProblem

Term = list[tuple[cp_model.IntVar, int]]  # sum of coefficient x variable


@dataclass(frozen=True)
class Scope:
    """The operations a model may move and the time span ``[low, high)`` minutes they
    must stay in. ``fixed`` operations keep their place in the current assignment."""

    free: frozenset[int]
    low: int
    high: int


@dataclass
class CircuitNode:
    """An operation as a node of a unit's changeover circuit."""

    op: int
    presence: cp_model.IntVar | int
    start: cp_model.LinearExprT
    end: cp_model.LinearExprT
    duration: int
    family: int | None
    earliest: int  # bounds on the start, for pruning impossible arcs
    latest: int
    size: cp_model.IntVar | None = None  # duration + changeover, when one may precede it
    ext_start: cp_model.IntVar | None = None
    incoming: list[tuple[cp_model.IntVar, int]] = field(default_factory=list)  # arc, setup


@dataclass
class UnitCircuit:
    """The changeover circuit of one unit of a work center: its nodes and the
    literals of its arcs (index 0 is the circuit's start and end)."""

    center: int
    unit: int
    initial_family: int | None
    nodes: list[CircuitNode] = field(default_factory=list)
    idle: cp_model.IntVar | None = None
    first: list[cp_model.IntVar] = field(default_factory=list)
    last: list[cp_model.IntVar] = field(default_factory=list)
    arcs: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)


@dataclass
class ScheduleModel:
    """A CP-SAT model with the handles ``solve``, ``hints`` and ``extract`` need."""

    problem: SchedulingProblem
    cp: cp_model.CpModel
    scope: Scope
    current: Assignment | None  # the hint, and where fixed operations stay
    starts: dict[int, cp_model.IntVar] = field(default_factory=dict)
    bounds: dict[int, tuple[int, int]] = field(default_factory=dict)  # earliest, latest start
    ends: dict[int, cp_model.LinearExprT] = field(default_factory=dict)
    end_vars: dict[int, cp_model.IntVar] = field(default_factory=dict)
    presences: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    units: dict[tuple[int, int, int], cp_model.IntVar | int] = field(default_factory=dict)
    people: dict[tuple[int, int, int], cp_model.IntVar] = field(default_factory=dict)
    circuits: list[UnitCircuit] = field(default_factory=list)
    tails: dict[int, int] = field(default_factory=dict)  # last window op of an order -> tail
    tardiness: dict[int, cp_model.IntVar] = field(default_factory=dict)
    makespan: cp_model.IntVar | None = None
    objective_terms: dict[str, Term] = field(default_factory=dict)
    sequences: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # of `current`


def build_model(
    problem: SchedulingProblem,
    *,
    current: Assignment | None = None,
    scope: Scope | None = None,
    horizon: int | None = None,
) -> ScheduleModel:
    """The CP-SAT model of ``problem`` (or of ``scope``, a window of ``current``).

    ``current`` is a feasible assignment given to CP-SAT as a complete hint (needed
    for a window: the operations outside it stay where ``current`` has them).
    ``horizon`` (minutes) bounds every end; by default it is large enough for some
    optimal schedule (see ``safe_horizon``).
    """
    if scope is None:
        limit = horizon if horizon is not None else safe_horizon(problem)
        scope = Scope(frozenset(range(len(problem.operations))), 0, limit)
    if len(scope.free) < len(problem.operations) and current is None:
        raise ValueError("a window model needs the current assignment")
    model = ScheduleModel(problem, cp_model.CpModel(), scope, current)
    if len(scope.free) < len(problem.operations):
        model.sequences = unit_sequences(problem, current)
    fixed = _fixed_operations(problem, current, scope)
    _add_operations(model)
    _add_resources(model, fixed)
    _add_objective_terms(model)
    if current is not None:
        add_hint(model, current)
    return model


def safe_horizon(problem: SchedulingProblem) -> int:
    """Minutes within which some optimal schedule ends: a semi-active schedule waits
    only for releases and calendar windows, then runs operations (and changeovers)
    back to back, so it ends before the last such event plus all work."""
    last_event = max((op.release for op in problem.operations), default=0)
    for calendar in [c.calendar for c in problem.work_centers] + [
        p.calendar for p in problem.persons
    ]:
        finite = [end for _, end in calendar.windows if end < 10**11]
        last_event = max(last_event, *finite, 0)
    work = sum(
        max(a.duration for a in op.alternatives)
        + max(problem.max_setup_into(a.work_center, a.setup_family) for a in op.alternatives)
        for op in problem.operations
    )
    return last_event + work + 1


# -- variables -------------------------------------------------------------------------


def _add_operations(model: ScheduleModel) -> None:
    problem, cp, scope, current = model.problem, model.cp, model.scope, model.current
    for op in sorted(scope.free):
        operation = problem.operations[op]
        earliest = max(operation.release, scope.low)
        latest_end = scope.high
        if operation.predecessor is not None and operation.predecessor not in scope.free:
            earliest = max(earliest, current.end(problem, operation.predecessor))
        if operation.successor is not None and operation.successor not in scope.free:
            latest_end = min(latest_end, current.start[operation.successor])
        latest = latest_end - operation.min_duration
        start = cp.new_int_var(earliest, latest, operation.name)
        model.starts[op] = start
        model.bounds[op] = (earliest, latest)
        alternatives = operation.alternatives
        if len(alternatives) == 1:
            model.ends[op] = start + alternatives[0].duration
            continue
        end = cp.new_int_var(earliest + operation.min_duration, latest_end, f"{operation.name} end")
        literals = []
        for a, alternative in enumerate(alternatives):
            center = problem.work_centers[alternative.work_center].work_center_id
            literal = cp.new_bool_var(f"{operation.name} on {center}")
            model.presences[(op, a)] = literal
            literals.append(literal)
        cp.add_exactly_one(literals)
        cp.add(
            end
            == start + sum(a.duration * lit for a, lit in zip(alternatives, literals, strict=True))
        )
        model.ends[op] = end
        model.end_vars[op] = end
    for op in scope.free:
        successor = problem.operations[op].successor
        if successor is not None and successor in scope.free:
            cp.add(model.starts[successor] >= model.ends[op])


def _presence(model: ScheduleModel, op: int, a: int) -> cp_model.IntVar | int:
    return model.presences.get((op, a), 1)


def _fixed_operations(
    problem: SchedulingProblem, current: Assignment | None, scope: Scope
) -> list[int]:
    """Operations outside the window whose time (changeover included) overlaps it."""
    if current is None or len(scope.free) == len(problem.operations):
        return []
    return [
        op
        for op in range(len(problem.operations))
        if op not in scope.free
        and current.start[op] - current.setup[op] < scope.high
        and current.end(problem, op) > scope.low
    ]


# -- constraints -----------------------------------------------------------------------


@dataclass
class _ResourceUse:
    """What the operations put on each resource, gathered before its constraint is
    added: intervals on work centers without changeovers (one unit: no overlap;
    several: cumulative), intervals per person, and the nodes of each changeover
    circuit (one per unit of a work center with changeovers)."""

    unary: dict[int, list[cp_model.IntervalVar]] = field(default_factory=dict)  # work center
    cumulative: dict[int, list[cp_model.IntervalVar]] = field(default_factory=dict)
    personal: dict[int, list[cp_model.IntervalVar]] = field(default_factory=dict)  # person
    circuits: dict[tuple[int, int], UnitCircuit] = field(default_factory=dict)  # center, unit

    def add_interval(
        self, problem: SchedulingProblem, center: int, interval: cp_model.IntervalVar
    ) -> None:
        """An interval on a work center without changeovers."""
        by_center = self.cumulative if problem.uses_cumulative(center) else self.unary
        by_center.setdefault(center, []).append(interval)

    def circuit(self, model: ScheduleModel, center: int, unit: int) -> UnitCircuit:
        key = (center, unit)
        if key not in self.circuits:
            self.circuits[key] = UnitCircuit(center, unit, _initial_family(model, center, unit))
        return self.circuits[key]


def _add_resources(model: ScheduleModel, fixed: list[int]) -> None:
    """Each operation's use of units and persons, then the constraints that keep every
    unit and person to one operation at a time and out of their unavailable windows."""
    problem, scope = model.problem, model.scope
    use = _ResourceUse()
    for op in sorted(scope.free):
        operation = problem.operations[op]
        for a, alternative in enumerate(operation.alternatives):
            center = problem.work_centers[alternative.work_center]
            label = f"{operation.name} on {center.work_center_id}"
            if problem.uses_sequences(alternative.work_center):
                _add_unit_nodes(model, use, op, a, label)
            else:
                presence = _presence(model, op, a)
                interval = _interval(
                    model.cp, model.starts[op], alternative.duration, presence, label
                )
                use.add_interval(problem, alternative.work_center, interval)
            if alternative.skill is not None:
                _add_staffing(model, use, op, a, label)
    for op in fixed:
        _add_fixed_operation(model, use, op)
    if len(scope.free) < len(problem.operations):
        _add_next_fixed_nodes(model, use.circuits, fixed)
    nodes = [node for circuit in use.circuits.values() for node in circuit.nodes]
    reach = max([scope.high] + [node.latest + node.duration for node in nodes])
    _add_work_center_capacity(model, use, reach)
    _add_personnel_capacity(model, use, reach)
    for key in sorted(use.circuits):
        _add_circuit(model, use.circuits[key], reach)
        model.circuits.append(use.circuits[key])


def _add_unit_nodes(model: ScheduleModel, use: _ResourceUse, op: int, a: int, label: str) -> None:
    """An alternative on a work center with changeovers: a node in the circuit of each
    of its units; with several units, a literal per unit, one true when it is chosen."""
    problem, cp = model.problem, model.cp
    alternative = problem.operations[op].alternatives[a]
    presence = _presence(model, op, a)
    start = model.starts[op]
    literals: list[cp_model.IntVar | int] = []
    units = problem.work_centers[alternative.work_center].units
    for unit in range(1, units + 1):
        literal = presence
        if units > 1:
            literal = cp.new_bool_var(f"{label}#{unit}")
            literals.append(literal)
        model.units[(op, a, unit)] = literal
        use.circuit(model, alternative.work_center, unit).nodes.append(
            CircuitNode(
                op,
                literal,
                start,
                start + alternative.duration,
                alternative.duration,
                alternative.setup_family,
                *model.bounds[op],
            )
        )
    if literals:
        cp.add(sum(literals) == presence)


def _add_staffing(model: ScheduleModel, use: _ResourceUse, op: int, a: int, label: str) -> None:
    """An alternative that needs a skill: a literal and an optional interval per
    qualified person, exactly one of them present when the alternative is chosen."""
    problem, cp = model.problem, model.cp
    alternative = problem.operations[op].alternatives[a]
    staff = []
    for person in problem.qualified[alternative.skill]:
        name = f"{label} by {problem.persons[person].person_id}"
        literal = cp.new_bool_var(name)
        model.people[(op, a, person)] = literal
        staff.append(literal)
        interval = _interval(cp, model.starts[op], alternative.duration, literal, name)
        use.personal.setdefault(person, []).append(interval)
    cp.add(sum(staff) == _presence(model, op, a))


def _add_fixed_operation(model: ScheduleModel, use: _ResourceUse, op: int) -> None:
    """An operation outside the window that shares time with it holds its unit, person
    and time: a fixed circuit node or fixed intervals."""
    problem, cp, current = model.problem, model.cp, model.current
    alternative = problem.operations[op].alternatives[current.alternative[op]]
    start = current.start[op]
    label = f"{problem.operations[op].name} (fixed)"
    if problem.uses_sequences(alternative.work_center):
        circuit = use.circuit(model, alternative.work_center, current.unit[op])
        circuit.nodes.append(_fixed_node(model, op))
    else:
        interval = _interval(cp, start, alternative.duration, 1, label)
        use.add_interval(problem, alternative.work_center, interval)
    if current.person[op] is not None:
        interval = _interval(cp, start, alternative.duration, 1, label)
        use.personal.setdefault(current.person[op], []).append(interval)


def _fixed_node(model: ScheduleModel, op: int) -> CircuitNode:
    """An operation outside the window as a circuit node at its current start."""
    current = model.current
    alternative = model.problem.operations[op].alternatives[current.alternative[op]]
    start = current.start[op]
    return CircuitNode(
        op,
        1,
        start,
        start + alternative.duration,
        alternative.duration,
        alternative.setup_family,
        start,
        start,
    )


def _add_work_center_capacity(model: ScheduleModel, use: _ResourceUse, reach: int) -> None:
    """One operation at a time on a work center of one unit, at most ``units`` on one
    of several; unavailable windows up to ``reach`` take every unit."""
    problem, cp, low = model.problem, model.cp, model.scope.low
    for center, intervals in use.unary.items():
        work_center = problem.work_centers[center]
        closed = _closed(cp, work_center.calendar, low, reach, work_center.work_center_id)
        cp.add_no_overlap(intervals + closed)
    for center, intervals in use.cumulative.items():
        work_center = problem.work_centers[center]
        closed = _closed(cp, work_center.calendar, low, reach, work_center.work_center_id)
        cp.add_cumulative(
            intervals + closed,
            [1] * len(intervals) + [work_center.units] * len(closed),
            work_center.units,
        )


def _add_personnel_capacity(model: ScheduleModel, use: _ResourceUse, reach: int) -> None:
    """A person works on one operation at a time, and only when available."""
    problem, cp, low = model.problem, model.cp, model.scope.low
    for person, intervals in use.personal.items():
        who = problem.persons[person]
        cp.add_no_overlap(intervals + _closed(cp, who.calendar, low, reach, who.person_id))


def _interval(
    cp: cp_model.CpModel,
    start: cp_model.LinearExprT,
    duration: int,
    presence: cp_model.IntVar | int,
    name: str,
) -> cp_model.IntervalVar:
    """An interval of ``duration`` minutes from ``start``; optional unless ``presence``
    is the constant 1."""
    if isinstance(presence, int):
        return cp.new_fixed_size_interval_var(start, duration, name)
    return cp.new_optional_fixed_size_interval_var(start, duration, presence, name)


def _closed(
    cp: cp_model.CpModel, calendar: Calendar, low: int, high: int, resource: str
) -> list[cp_model.IntervalVar]:
    """The unavailable windows of a resource's calendar within ``[low, high)`` as fixed
    intervals named after the resource."""
    return [
        cp.new_fixed_size_interval_var(s, e - s, f"{resource} unavailable {s}")
        for s, e in calendar.within(low, high)
    ]


def _initial_family(model: ScheduleModel, center: int, unit: int) -> int | None:
    """The family last run on a unit before the window (None for a whole model)."""
    problem, current, scope = model.problem, model.current, model.scope
    before = [
        op
        for op in model.sequences.get((center, unit), ())
        if op not in scope.free and current.end(problem, op) <= scope.low
    ]
    return family(problem, current, before[-1]) if before else None


def _add_next_fixed_nodes(
    model: ScheduleModel, circuits: dict[tuple[int, int], UnitCircuit], fixed: list[int]
) -> None:
    """The first fixed operation after a window on each sequenced unit joins its
    circuit: its changeover depends on what the window puts last."""
    current, scope = model.current, model.scope
    in_circuit = set(fixed)
    for (center, unit), sequence in model.sequences.items():
        if (center, unit) not in circuits:
            continue
        after = [
            op
            for op in sequence
            if op not in scope.free
            and op not in in_circuit
            and current.start[op] - current.setup[op] >= scope.high
        ]
        if after:
            circuits[(center, unit)].nodes.append(_fixed_node(model, after[0]))


def _add_circuit(model: ScheduleModel, circuit: UnitCircuit, reach: int) -> None:
    """Order the operations of one unit and price its changeovers."""
    problem, cp, scope = model.problem, model.cp, model.scope
    center = problem.work_centers[circuit.center]
    label = f"{center.work_center_id}#{circuit.unit}"
    nodes = circuit.nodes
    arcs: list[tuple[int, int, cp_model.IntVar]] = []
    circuit.idle = cp.new_bool_var(f"{label} idle")
    arcs.append((0, 0, circuit.idle))
    for j, node in enumerate(nodes, start=1):
        first = cp.new_bool_var(f"{label} starts with {problem.operations[node.op].name}")
        last = cp.new_bool_var(f"{label} ends with {problem.operations[node.op].name}")
        circuit.first.append(first)
        circuit.last.append(last)
        arcs += [(0, j, first), (j, 0, last)]
        node.incoming.append(
            (first, problem.setup(circuit.center, circuit.initial_family, node.family))
        )
        if not isinstance(node.presence, int):
            arcs.append((j, j, ~node.presence))
    for i, before in enumerate(nodes, start=1):
        for j, after in enumerate(nodes, start=1):
            if i == j:
                continue
            setup = problem.setup(circuit.center, before.family, after.family)
            if before.earliest + before.duration + setup > after.latest:
                continue  # cannot follow in any schedule within the bounds
            literal = cp.new_bool_var(
                f"{label} {problem.operations[before.op].name}"
                f" -> {problem.operations[after.op].name}"
            )
            circuit.arcs[(i, j)] = literal
            arcs.append((i, j, literal))
            cp.add(after.start >= before.end + setup).only_enforce_if(literal)
            after.incoming.append((literal, setup))
    cp.add_circuit(arcs)

    intervals = []
    for node in nodes:
        changeovers = [(literal, minutes) for literal, minutes in node.incoming if minutes]
        name = f"{problem.operations[node.op].name} on {label}"
        if not changeovers:
            intervals.append(_interval(cp, node.start, node.duration, node.presence, name))
            continue
        longest = max(minutes for _, minutes in changeovers)
        node.size = cp.new_int_var(node.duration, node.duration + longest, f"{name} with setup")
        cp.add(node.size == node.duration + sum(minutes * lit for lit, minutes in changeovers))
        floor = node.earliest - longest
        if node.op in scope.free:  # a changeover of a window operation stays in the window
            floor = max(floor, scope.low)
        node.ext_start = cp.new_int_var(floor, node.latest, f"{name} setup start")
        if isinstance(node.presence, int):
            intervals.append(cp.new_interval_var(node.ext_start, node.size, node.end, name))
        else:
            intervals.append(
                cp.new_optional_interval_var(
                    node.ext_start, node.size, node.end, node.presence, name
                )
            )
    intervals += _closed(cp, center.calendar, scope.low, reach, center.work_center_id)
    cp.add_no_overlap(intervals)


# -- objective -------------------------------------------------------------------------


def _add_objective_terms(model: ScheduleModel) -> None:
    """Weighted tardiness, makespan and total changeover as linear terms; ``solve``
    decides how to combine them.

    In a window, an order that goes on after it keeps its completion (its later
    operations are fixed), so its tardiness is a separate, *estimated* term: the end of
    its last window operation plus its current tail (the minutes its later operations
    add now). Minimized after the exact term, it pulls such orders forward when that
    costs nothing, which the left shift and re-dispatch after the window turn into
    real gains. The makespan of a window is estimated the same way."""
    problem, cp, scope = model.problem, model.cp, model.scope
    for op in sorted(scope.free):
        successor = problem.operations[op].successor
        if successor is None or successor not in scope.free:
            last = problem.orders[problem.operations[op].order].operations[-1]
            tail = (
                0
                if last == op
                else model.current.end(problem, last) - model.current.end(problem, op)
            )
            model.tails[op] = tail
    exact: Term = []  # orders that end in the window
    estimated: Term = []  # orders that go on after it
    for op, tail in model.tails.items():
        number = problem.operations[op].order
        order = problem.orders[number]
        if order.due is None or order.weight == 0:
            continue
        late = cp.new_int_var(0, max(0, scope.high + tail - order.due), f"{order.order_id} late")
        cp.add(late >= model.ends[op] + tail - order.due)
        model.tardiness[number] = late
        (estimated if tail else exact).append((late, order.weight))
    if exact:
        model.objective_terms["weighted_tardiness"] = exact
    if estimated:
        model.objective_terms["estimated_tardiness"] = estimated

    floor = max(
        problem.operations[op].release + problem.operations[op].min_duration + tail
        for op, tail in model.tails.items()
    )
    ceiling = max(scope.high + tail for tail in model.tails.values())
    model.makespan = cp.new_int_var(max(floor, scope.low), ceiling, "makespan")
    cp.add_max_equality(model.makespan, [model.ends[op] + tail for op, tail in model.tails.items()])
    model.objective_terms["makespan"] = [(model.makespan, 1)]

    setups: Term = [
        (literal, minutes)
        for circuit in model.circuits
        for node in circuit.nodes
        for literal, minutes in node.incoming
        if minutes
    ]
    if setups:
        model.objective_terms["total_setup"] = setups


def objective_expression(term: Term) -> cp_model.LinearExprT:
    return sum(coefficient * variable for variable, coefficient in term)
