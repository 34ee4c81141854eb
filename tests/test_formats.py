"""Belarusian pages write dates and numbers the Belarusian way (Django ships no ``be`` formats)."""

from __future__ import annotations

from datetime import date

from django.utils import formats, translation


def test_belarusian_dates_and_numbers() -> None:
    with translation.override("be"):
        assert formats.date_format(date(2020, 8, 9)) == "9 жніўня 2020 г."
        assert formats.number_format(1234.5, 1, use_l10n=True, force_grouping=True) == "1\xa0234,5"
        assert formats.date_format(date(2020, 8, 9), "SHORT_DATE_FORMAT") == "09.08.2020"
    with translation.override("en"):
        assert formats.number_format(1.5, 1) == "1.5"
