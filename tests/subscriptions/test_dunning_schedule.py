"""The dunning's schedule and its reading of decline codes, from the settings alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from app.core.config import DunningSettings
from app.subscriptions.dunning_schedule import (
    HARD_DECLINES,
    day_at,
    is_hard,
    reason,
    schedule,
)
from tests.factories.core import paris

FAILED = paris(2027, 3, 1, 4, 12)  # Stripe renews at the anchor's hour, at night here


def test_the_default_schedule_is_the_issues_in_the_order_a_day_runs() -> None:
    steps = [(step.name, step.due_at) for step in schedule(FAILED, DunningSettings())]

    assert steps == [
        ("retry:1", paris(2027, 3, 4, 10)),
        ("reminder:3", paris(2027, 3, 4, 10)),
        ("retry:2", paris(2027, 3, 8, 10)),
        ("reminder:7", paris(2027, 3, 8, 10)),
        ("retry:3", paris(2027, 3, 15, 10)),
        ("suspend", paris(2027, 3, 16, 10)),
        ("reminder:15", paris(2027, 3, 16, 10)),
        ("cancel", paris(2027, 3, 31, 10)),
        ("reminder:30", paris(2027, 3, 31, 10)),
    ]


def test_a_day_starts_at_the_local_hour_across_a_change_of_clocks() -> None:
    # Summer time starts on 28 March 2027: J+30 is still 10:00 in Paris, one hour earlier in UTC.
    assert day_at(FAILED, 30, DunningSettings()) == paris(2027, 3, 31, 10)
    assert day_at(FAILED, 30, DunningSettings()) - day_at(FAILED, 3, DunningSettings()) == (
        timedelta(days=27, hours=-1)
    )
    late_evening = paris(2027, 3, 1, 23, 50)
    assert day_at(late_evening, 3, DunningSettings()) == paris(2027, 3, 4, 10)


def test_max_retries_caps_the_retry_days_and_nothing_runs_after_the_cancellation() -> None:
    config = DunningSettings(
        retry_days="1,2,3,4",  # type: ignore[arg-type]
        max_retries=2,
        reminder_days="5,40",  # type: ignore[arg-type]
        suspend_after_days=10,
        cancel_after_days=20,
    )

    names = [step.name for step in schedule(FAILED, config)]

    assert names == ["retry:1", "retry:2", "reminder:5", "suspend", "cancel"]


def test_days_are_read_from_a_list_and_a_cancellation_before_the_suspension_is_refused() -> None:
    assert DunningSettings(reminder_days=" 7,3 , 15").reminder_days == [3, 7, 15]  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        DunningSettings(suspend_after_days=20, cancel_after_days=10)
    with pytest.raises(ValidationError):
        DunningSettings(reminder_days="0,3")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "hard"),
    [
        ("insufficient_funds", False),
        ("generic_decline", False),
        ("card_declined", False),
        ("processing_error", False),
        (None, False),
        ("stolen_card", True),
        ("lost_card", True),
        ("pickup_card", True),
        ("fraudulent", True),
        ("do_not_honor", True),
        ("restricted_card", True),
        ("expired_card", True),
        ("incorrect_number", True),
    ],
)
def test_hard_declines_are_those_a_retry_cannot_fix(code: str | None, hard: bool) -> None:
    assert is_hard(code) is hard


def test_the_client_reads_the_banks_answer_in_french_and_never_the_word_fraud() -> None:
    assert reason("insufficient_funds") == "la banque indique un solde insuffisant"
    assert reason("expired_card") == "la carte enregistrée a expiré"
    assert reason("fraudulent") == reason("stolen_card") == "la banque a refusé cette carte"
    assert reason("generic_decline") == reason(None) == "la banque a refusé le paiement"
    for code in HARD_DECLINES:
        assert "fraud" not in reason(code)
