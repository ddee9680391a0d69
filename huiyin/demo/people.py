"""Plausible petitioners: names, GB 11643 citizen numbers with valid check digits, mobile numbers."""

from __future__ import annotations

import random
from datetime import date, timedelta

from stdnum.cn import ric

from huiyin.cases.services import PetitionerIn
from huiyin.demo.org import GIVEN, SURNAMES

# Region codes of the birth registration: mostly the demo county, some from elsewhere in the province.
REGIONS = ["430121"] * 6 + ["430102", "430103", "430104", "430111", "430181", "430524"]
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "158",
    "159",
    "177",
    "180",
    "182",
    "186",
    "187",
    "189",
    "199",
]


def citizen_number(rng: random.Random) -> str:
    """A GB 11643-1999 number: region, birth date, sequence (odd = male) and the ISO 7064 check digit."""
    while True:
        born = date(1945, 1, 1) + timedelta(days=rng.randrange(0, 365 * 60))
        body = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
        number = body + ric.calc_check_digit(body + "0")  # the function expects a placeholder digit
        if ric.is_valid(number):  # also checks the region code existed in the birth year
            return number


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(0, 10**8):08d}"


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


class PetitionerPool:
    """Hands out petitioners; about one in seven is someone who has petitioned before (重复信访)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.known: list[PetitionerIn] = []

    def person(
        self, address: str, *, representative: bool = False, repeat_chance: float = 0.15
    ) -> PetitionerIn:
        if self.known and self.rng.random() < repeat_chance:
            p = self.rng.choice(self.known)
            return PetitionerIn(p.name, p.kind, p.id_number, p.phone, p.address, representative)
        p = PetitionerIn(
            name=person_name(self.rng),
            id_number=citizen_number(self.rng) if self.rng.random() < 0.9 else "",
            phone=mobile(self.rng),
            address=address,
            is_representative=representative,
        )
        if p.id_number:
            self.known.append(p)
        return p

    def group(self, address: str, size: int) -> list[PetitionerIn]:
        """A collective visit's registered people: the first `size` chosen as representatives (≤ 5)."""
        seen: set[str] = set()
        people: list[PetitionerIn] = []
        while len(people) < size:
            p = self.person(address, representative=True, repeat_chance=0.0)
            if p.id_number not in seen:
                seen.add(p.id_number)
                people.append(p)
        return people
