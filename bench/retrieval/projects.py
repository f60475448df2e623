"""Planted facts about a team's projects: decisions, a budget, a lead, a launch that slips."""

from __future__ import annotations

from bench.retrieval import vocabulary as v
from bench.retrieval.facts import Context, Event, Plan, QuestionPlan, single


def project(ctx: Context, name: str) -> list[Plan]:
    """A team project's decisions; its lead links two of them."""
    say = lambda: ctx.rng.choice(ctx.people)  # noqa: E731
    db, rejected = ctx.fresh(v.DATABASES), ctx.fresh(v.DATABASES)
    stored = single(
        ctx,
        say(),
        "For the {project} we agreed to go with {db} as the database.",
        "What database did the team agree on for the {project}?",
        ["Which data store will the {project} use?", "Where will the {project} keep its data?"],
        project=name,
        db=db,
    )
    lead = ctx.rng.choice(ctx.people)
    led = Event(ctx.key(), say(), f"{lead} will lead the {name} from next sprint.")
    launch, slipped = (f"{ctx.rng.choice(v.MONTHS)} {ctx.rng.randint(1, 28)}" for _ in range(2))
    planned = Event(ctx.key(), say(), f"The {name} launch is planned for {launch}.")
    slip = Event(ctx.key(), say(), f"Bad news: the {name} launch slipped to {slipped}.")
    when, wording = ctx.ask(
        "When is the {project} launch?",
        [
            "When is the {project} going live now?",
            "What is the current release date of the {project}?",
        ],
        project=name,
    )
    return [
        Plan(
            [
                Event(
                    ctx.key(),
                    say(),
                    f"Someone suggested {rejected} for the {name}, but nobody was convinced.",
                )
            ]
        ),
        stored,
        Plan(
            [led],
            [  # the database turn is placed by `stored`
                QuestionPlan(
                    f"Who is in charge of the {name}?", (led.key,), "single", "paraphrase"
                ),
                QuestionPlan(
                    f"Which database does the project {lead} leads use?",
                    (led.key, stored.events[0].key),
                    "multi-hop",
                    "paraphrase",
                ),
            ],
        ),
        single(
            ctx,
            say(),
            "We're building the {project} backend with {fw}, decided this morning.",
            "What is the {project} backend built with?",
            [
                "Which framework did they pick for the {project}?",
                "What web framework powers the {project}?",
            ],
            project=name,
            fw=ctx.fresh(v.FRAMEWORKS),
        ),
        single(
            ctx,
            say(),
            "The {project} will run on {host}, the contract is signed.",
            "Where will the {project} run?",
            ["Which hosting provider was chosen for the {project}?", "Who hosts the {project}?"],
            project=name,
            host=ctx.fresh(v.HOSTING),
        ),
        single(
            ctx,
            say(),
            "Finance approved {amount} euros for the {project}.",
            "How many euros did finance approve for the {project}?",
            ["What is the budget of the {project}?", "How much money does the {project} have?"],
            project=name,
            amount=f"{ctx.rng.randrange(20, 400) * 1000:,}",
        ),
        Plan([planned, slip], [QuestionPlan(when, (slip.key,), "updated", wording)]),
    ]
