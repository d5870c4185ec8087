"""Every entry of the country-name table, one test each (agreements.imports.country_names)."""

import pycountry
import pytest

from agreements.imports.country_names import BLOCS, SEVERAL, TABLE, lookup, split_members
from agreements.models import Country


@pytest.mark.parametrize(("name", "iso3"), sorted(TABLE.items()))
def test_table_entry(name, iso3, db):
    assert lookup(name) == ("country", iso3)
    assert Country.objects.filter(iso3=iso3).exists(), f"{iso3} is a country of the database"


@pytest.mark.parametrize(("name", "bloc"), sorted(BLOCS.items()))
def test_bloc_entry(name, bloc):
    assert lookup(name) == ("bloc", bloc[0])


@pytest.mark.parametrize(("text", "codes"), sorted(SEVERAL.items()))
def test_several_names_without_a_separator(text, codes):
    found, unknown = split_members(text)
    assert (found, unknown) == ([("country", code) for code in codes], [])


def test_named_examples():
    for name, iso3 in {"Tanzania": "TZA", "Korea, Republic of": "KOR", "Zaire": "COD", "Swaziland": "SWZ",
                       "Libyan Arab Jamahiriya": "LBY"}.items():  # fmt: skip
        assert lookup(name) == ("country", iso3)
    assert lookup("European Union") == ("bloc", "EU")


def test_pycountry_exact_names_and_nothing_fuzzy():
    assert lookup("Rwanda") == ("country", pycountry.countries.lookup("Rwanda").alpha_3)
    assert lookup("Rwandaa") is None


def test_lists_keep_whole_names_and_split_blocs():
    found, unknown = split_members("EFTA (Iceland; Norway), Bosnia and Herzegovina, Suriname and Trinidad and Tobago")
    assert unknown == []
    assert found == [("bloc", "EFTA"), ("country", "ISL"), ("country", "NOR"), ("country", "BIH"),
                     ("country", "SUR"), ("country", "TTO")]  # fmt: skip
    assert split_members("Kenya; Atlantis", ";") == ([("country", "KEN")], ["Atlantis"])
