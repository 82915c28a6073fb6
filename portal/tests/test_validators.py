import pytest
from django.core.exceptions import ValidationError

from portal.validators import (
    corporate_number_check_digit,
    municipality_code_check_digit,
    validate_corporate_number,
    validate_municipality_code,
)


@pytest.mark.parametrize("code", ["011002", "131016", "462900", "465909", "271004"])
def test_valid_municipality_codes(code):
    validate_municipality_code(code)


def test_municipality_check_digit_follows_the_published_formula():
    # 札幌市 01100: S = 6·0 + 5·1 + 4·1 + 3·0 + 2·0 = 9; (11 − 9 mod 11) mod 10 = 2
    assert municipality_code_check_digit("01100") == 2
    # 千代田区 13101: S = 6 + 15 + 4 + 0 + 2 = 27; (11 − 5) mod 10 = 6
    assert municipality_code_check_digit("13101") == 6


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        ("011003", "check_digit"),
        ("131010", "check_digit"),
        ("01100", "format"),
        ("0110020", "format"),
        ("O11002", "format"),
        ("０１１００２", "format"),
        ("", "format"),
        ("480000", "prefecture"),
    ],
)
def test_invalid_municipality_codes(code, error_code):
    if error_code == "prefecture":
        code = code[:5] + str(municipality_code_check_digit(code[:5]))
    with pytest.raises(ValidationError) as raised:
        validate_municipality_code(code)
    assert raised.value.code == error_code


@pytest.mark.parametrize("number", ["7000012050002", "4340001012345", "6010001023456"])
def test_valid_corporate_numbers(number):
    validate_corporate_number(number)


def test_corporate_number_check_digit_of_the_national_tax_agency():
    # 国税庁 7000012050002: the published example of the 法人番号 check digit.
    assert corporate_number_check_digit("000012050002") == 7


@pytest.mark.parametrize("number", ["8000012050002", "700001205000", "70000120500021", "700001205000A"])
def test_invalid_corporate_numbers(number):
    with pytest.raises(ValidationError):
        validate_corporate_number(number)
