"""Check digits of Japanese public identifiers."""

from django.core.exceptions import ValidationError


def municipality_code_check_digit(first_five: str) -> int:
    """全国地方公共団体コード: S = 6·d1 + 5·d2 + 4·d3 + 3·d4 + 2·d5, check = (11 − S mod 11) mod 10."""
    total = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def validate_municipality_code(value: str) -> None:
    if not (isinstance(value, str) and len(value) == 6 and value.isascii() and value.isdigit()):
        raise ValidationError("全国地方公共団体コードは半角数字6桁で入力してください。", code="format")
    if int(value[5]) != municipality_code_check_digit(value[:5]):
        raise ValidationError(
            "全国地方公共団体コードの検査数字（6桁目）が正しくありません。コードを確認してください。",
            code="check_digit",
        )
    if not 1 <= int(value[:2]) <= 47:
        raise ValidationError("全国地方公共団体コードの上2桁は都道府県コード（01〜47）です。", code="prefecture")


def corporate_number_check_digit(body: str) -> int:
    """法人番号 (国税庁): body is the 12 digits after the check digit.
    P_n is the n-th digit counted from the right, Q_n = 1 for odd n and 2 for even n;
    check = 9 − (Σ P_n·Q_n mod 9)."""
    total = sum(int(d) * (1 if n % 2 else 2) for n, d in enumerate(reversed(body), start=1))
    return 9 - total % 9


def validate_corporate_number(value: str) -> None:
    if not (isinstance(value, str) and len(value) == 13 and value.isascii() and value.isdigit()):
        raise ValidationError("法人番号は半角数字13桁で入力してください。", code="format")
    if int(value[0]) != corporate_number_check_digit(value[1:]):
        raise ValidationError(
            "法人番号の検査数字（先頭1桁）が正しくありません。番号を確認してください。", code="check_digit"
        )
