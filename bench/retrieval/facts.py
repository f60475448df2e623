"""Planted facts: what someone says (one turn each) and the questions that turn answers.

A `Plan` is a chain of events placed in strictly later sessions (a fact, then its update or
the second half of a two-step answer) with the questions it makes answerable; a plan
without questions is a distractor. Each fact kind has several phrasings; a question is
either `lexical` (reuses the statement's words) or `paraphrase` (says it differently).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bench.retrieval import vocabulary as v

T = TypeVar("T")


@dataclass(frozen=True)
class Event:
    key: str
    speaker: str
    said: str


@dataclass(frozen=True)
class QuestionPlan:
    text: str
    evidence: tuple[str, ...]  # event keys
    kind: str  # single | updated | history | multi-hop
    wording: str  # lexical | paraphrase


@dataclass
class Plan:
    events: list[Event]
    questions: list[QuestionPlan] = field(default_factory=list)


@dataclass
class Context:
    """One conversation's participants, its projects and the values already taken."""

    rng: random.Random
    people: list[str]
    projects: list[str]
    used: set[Any] = field(default_factory=set)
    counter: int = 0

    def fresh(self, pool: Sequence[T]) -> T:
        """A value of `pool` not yet used in this conversation (any one if all are)."""
        free = [x for x in pool if x not in self.used] or list(pool)
        value = self.rng.choice(free)
        self.used.add(value)
        return value

    def key(self) -> str:
        self.counter += 1
        return f"e{self.counter}"

    def other(self, person: str) -> str:
        return self.rng.choice([p for p in self.people if p != person])

    def ask(self, lexical: str, paraphrases: Sequence[str], **slots: Any) -> tuple[str, str]:
        """One question: the lexical form a third of the time, else a paraphrase."""
        if self.rng.random() < 1 / 3:
            return lexical.format(**slots), "lexical"
        return self.rng.choice(paraphrases).format(**slots), "paraphrase"


def single(
    ctx: Context, speaker: str, said: str, lexical: str, paraphrases: list[str], **slots: Any
) -> Plan:
    event = Event(ctx.key(), speaker, said.format(**slots))
    text, wording = ctx.ask(lexical, paraphrases, **slots)
    return Plan([event], [QuestionPlan(text, (event.key,), "single", wording)])


def job(ctx: Context, p: str) -> list[Plan]:
    (title, company), date = ctx.fresh(v.JOBS), ctx.fresh(v.MONTHS)
    first = Event(
        ctx.key(),
        p,
        ctx.rng.choice(
            [
                f"I finally signed the contract, I start as a {title} at {company} in {date}.",
                f"Long week. Being a {title} at {company} is no joke in winter.",
            ]
        ),
    )
    plans = [
        Plan(
            [
                Event(
                    ctx.key(),
                    ctx.other(p),
                    f"My cousin just became a {ctx.fresh(v.JOBS)[0]}, she says the hours are brutal.",
                )
            ]
        )
    ]
    if ctx.rng.random() < 0.5:
        text, wording = ctx.ask(
            "What job did {p} sign a contract for?",
            ["What does {p} do for a living?", "What is {p}'s profession?"],
            p=p,
        )
        plans.append(Plan([first], [QuestionPlan(text, (first.key,), "single", wording)]))
        return plans
    title2, company2 = ctx.fresh(v.JOBS)
    change = Event(
        ctx.key(), p, f"Quick update: I quit, as of this week I'm a {title2} at {company2}."
    )
    now, wording = ctx.ask(
        "What is {p}'s job as of this week?",
        ["What does {p} do for work now?", "Where is {p} employed at the moment?"],
        p=p,
    )
    before = f"What did {p} do before quitting?"
    plans.append(
        Plan(
            [first, change],
            [
                QuestionPlan(now, (change.key,), "updated", wording),
                QuestionPlan(before, (first.key, change.key), "history", "lexical"),
            ],
        )
    )
    return plans


def pet(ctx: Context, p: str) -> list[Plan]:
    animal, names = ctx.rng.choice(v.ANIMALS)
    name, (she, her) = ctx.fresh(names), ctx.rng.choice([("she", "her"), ("he", "him")])
    adopted = Event(
        ctx.key(),
        p,
        ctx.rng.choice(
            [
                f"We adopted a {animal} from the shelter on Saturday! We named {her} {name}.",
                f"Say hi to {name}, our new {animal}, {she} is already ruling the flat.",
            ]
        ),
    )
    text, wording = ctx.ask(
        "What is the name of {p}'s new {animal}?",
        ["What is {p}'s pet called?", "What name did {p} give the animal they took home?"],
        p=p,
        animal=animal,
    )
    mention = Plan([Event(ctx.key(), p, f"The {animal} chewed through my headphone cable again.")])
    named = QuestionPlan(text, (adopted.key,), "single", wording)
    if ctx.rng.random() < 0.4:
        return [mention, Plan([adopted], [named])]
    allergen = ctx.fresh(v.ALLERGENS)
    vet = Event(ctx.key(), p, f"Took {name} to the vet, turns out {she} is allergic to {allergen}.")
    question = ctx.rng.choice(
        [f"What is {p}'s {animal} allergic to?", f"What does the vet say {p}'s pet has to avoid?"]
    )
    hop = QuestionPlan(question, (adopted.key, vet.key), "multi-hop", "paraphrase")
    return [mention, Plan([adopted, vet], [named, hop])]


def trips(ctx: Context, p: str) -> list[Plan]:
    plans = []
    for _ in range(ctx.rng.choice([1, 2])):
        city, month = ctx.fresh(v.CITIES), ctx.fresh(v.MONTHS)
        nights = ctx.rng.randint(3, 12)
        if ctx.rng.random() < 0.5:
            plans.append(
                single(
                    ctx,
                    p,
                    "In {month} I'm flying to {city} for a week, mostly for the {sight}.",
                    "Where is {p} flying in {month}?",
                    [
                        "Which city will {p} visit in {month}?",
                        "Where is {p} going on holiday in {month}?",
                    ],
                    p=p,
                    month=month,
                    city=city,
                    sight=ctx.rng.choice(v.SIGHTS),
                )
            )
            continue
        plan = single(
            ctx,
            p,
            "Booked it: {city}, {nights} nights in {month}. Can't wait.",
            "Where did {p} book {nights} nights in {month}?",
            ["Which city will {p} visit in {month}?", "What is {p}'s {month} holiday destination?"],
            p=p,
            month=month,
            city=city,
            nights=nights,
        )
        plan.questions.append(
            QuestionPlan(
                f"How long is {p} staying in {city}?", (plan.events[0].key,), "single", "paraphrase"
            )
        )
        plans.append(plan)
    return plans


def residence(ctx: Context, p: str) -> list[Plan]:
    city, hood = ctx.fresh(v.CITIES), ctx.rng.choice(v.NEIGHBOURHOODS)
    moved = Event(ctx.key(), p, f"We finally moved, I live in {city} now, close to the {hood}.")
    if ctx.rng.random() < 0.4:
        text, wording = ctx.ask(
            "Which city does {p} live in now?",
            ["Where is {p} based these days?", "In what town is {p}'s home?"],
            p=p,
        )
        return [Plan([moved], [QuestionPlan(text, (moved.key,), "single", wording)])]
    city2 = ctx.fresh(v.CITIES)
    again = Event(
        ctx.key(), p, f"Moving again! We signed a lease in {city2}, the boxes are everywhere."
    )
    now, wording = ctx.ask(
        "Which city does {p} live in now?",
        ["Where is {p} based these days?", "In what town is {p}'s home at the moment?"],
        p=p,
    )
    return [
        Plan(
            [moved, again],
            [
                QuestionPlan(now, (again.key,), "updated", wording),
                QuestionPlan(
                    f"Where did {p} live before {city2}?",
                    (moved.key, again.key),
                    "history",
                    "paraphrase",
                ),
            ],
        )
    ]


def birthday(ctx: Context, p: str) -> list[Plan]:
    month, day = ctx.rng.choice(v.MONTHS), ctx.rng.randint(1, 28)
    return [
        single(
            ctx,
            p,
            "My birthday is on {month} {day}, we're doing a picnic if the weather holds.",
            "When is {p}'s birthday?",
            ["On what date was {p} born?", "When does {p} turn a year older?"],
            p=p,
            month=month,
            day=day,
        )
    ]


def hobby(ctx: Context, p: str) -> list[Plan]:
    return [
        single(
            ctx,
            p,
            "I signed up for {hobby} classes, every {weekday} evening.",
            "What classes did {p} sign up for?",
            ["What does {p} do on {weekday} nights?", "What new pastime has {p} taken up?"],
            p=p,
            hobby=ctx.fresh(v.HOBBIES),
            weekday=ctx.rng.choice(v.WEEKDAYS),
        )
    ]


def rent(ctx: Context, p: str) -> list[Plan]:
    return [
        single(
            ctx,
            p,
            "Our landlord raised the rent to {amount} euros a month, unbelievable.",
            "What did {p}'s landlord raise the rent to?",
            [
                "How much does {p} pay for the flat each month?",
                "What does {p}'s apartment cost monthly?",
            ],
            p=p,
            amount=ctx.rng.randrange(800, 2400, 10),
        )
    ]


def sibling(ctx: Context, p: str) -> list[Plan]:
    relation, she, names = ctx.rng.choice(v.RELATIVES)
    name, (title, _), city = ctx.fresh(names), ctx.fresh(v.JOBS), ctx.fresh(v.CITIES)
    visit = Event(ctx.key(), p, f"My {relation} {name} is staying with us for a few days.")
    news = Event(
        ctx.key(),
        ctx.other(p),
        f"Bumped into {name} yesterday, {she} told me {she}'s a {title} in {city} now.",
    )
    question = ctx.rng.choice(
        [
            f"What does {p}'s {relation} do for a living?",
            f"Which city does {p}'s {relation} live in?",
        ]
    )
    return [
        Plan(
            [visit, news],
            [QuestionPlan(question, (visit.key, news.key), "multi-hop", "paraphrase")],
        )
    ]


PERSONAL: list[Callable[[Context, str], list[Plan]]] = [
    job,
    pet,
    trips,
    residence,
    birthday,
    hobby,
    rent,
    sibling,
]
