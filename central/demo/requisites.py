"""Valid Russian requisites for the demo company: INN, OGRN/OGRNIP, bank accounts with their control key."""

from __future__ import annotations

import numpy as np
from stdnum.ru import inn

# Weights of the Bank of Russia's account control key (regulation 579-P): over the last 3 BIK digits + account.
_ACCOUNT_WEIGHTS = ((7, 1, 3) * 8)[:23]


def company_inn(rng: np.random.Generator) -> str:
    """A 10-digit legal-entity INN in the Moscow region (50xx/77xx) with its check digit."""
    body = f"{rng.choice(['50', '77']):s}{int(rng.integers(10, 99))}{int(rng.integers(0, 10**5)):05d}"
    return body + inn.calc_company_check_digit(body)


def personal_inn(rng: np.random.Generator) -> str:
    """A 12-digit sole proprietor's INN with its two check digits."""
    body = f"50{int(rng.integers(10, 99))}{int(rng.integers(0, 10**6)):06d}"
    return body + inn.calc_personal_check_digits(body)


def company_ogrn(rng: np.random.Generator, year: int) -> str:
    """A 13-digit OGRN (sign 1) registered in ``year``."""
    body = f"1{year % 100:02d}50{int(rng.integers(0, 10**7)):07d}"
    return body + str(int(body) % 11 % 10)


def personal_ogrnip(rng: np.random.Generator, year: int) -> str:
    """A 15-digit OGRNIP (sign 3)."""
    while True:
        body = f"3{year % 100:02d}50{int(rng.integers(0, 10**9)):09d}"
        # The rule is (body mod 13) mod 10; a remainder of 10 is avoided since some validators reject it.
        if int(body) % 13 < 10:
            return body + str(int(body) % 13)


def account_key(bik: str, account: str, correspondent: bool = False) -> str:
    """The control digit (position 9) of a 20-digit account: ``account_key("044525225", "40702810X38000012345")``."""
    prefix = "0" + bik[4:6] if correspondent else bik[-3:]
    digits = prefix + account[:8] + "0" + account[9:]
    total = sum(int(d) * w for d, w in zip(digits, _ACCOUNT_WEIGHTS, strict=True))
    return str((total % 10) * 3 % 10)


def with_key(bik: str, account: str, correspondent: bool = False) -> str:
    """The account with its control digit set."""
    return account[:8] + account_key(bik, account, correspondent) + account[9:]


def account_is_valid(bik: str, account: str, correspondent: bool = False) -> bool:
    """True when the account's control digit matches the bank: used by the CRM card and the tests."""
    prefix = "0" + bik[4:6] if correspondent else bik[-3:]
    digits = prefix + account
    return sum(int(d) * w for d, w in zip(digits, _ACCOUNT_WEIGHTS, strict=True)) % 10 == 0
