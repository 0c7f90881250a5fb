"""Which numbers we may call back: parsed with phonenumbers, refused when calling costs us.

Dialling a number a caller typed is the classic route to toll fraud, so a
callback number must be valid, in one of the flow's `callbacks.countries`
(`region` reads numbers typed without a country code), and of a type that
reaches a person at ordinary cost: mobile, fixed line, or fixed-line-or-mobile
(where the country does not tell them apart). Refused: premium rate and shared
cost (we would pay the owner), toll free (a company's switchboard, not the
customer), VoIP, personal, pager, UAN, voicemail and unknown types.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from ivr_app.flow.model import CallbackSettings

ALLOWED_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE,
                           PhoneNumberType.FIXED_LINE_OR_MOBILE})


def callable_number(text: str, settings: CallbackSettings) -> str | None:
    """The number in E.164 if we may call it back, else None."""
    try:
        number = phonenumbers.parse(text, settings.region)
    except phonenumbers.NumberParseException:
        return None
    if (not phonenumbers.is_valid_number(number)
            or phonenumbers.region_code_for_number(number) not in settings.countries
            or phonenumbers.number_type(number) not in ALLOWED_TYPES):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def spoken_digits(e164: str, settings: CallbackSettings) -> str:
    """Digit by digit as the caller dials it: national digits at home, else with the country
    code ("5 5 1 2 3 4 5 6 7 8", "1 2 0 2 5 5 5 0 1 2 3")."""
    number = phonenumbers.parse(e164)
    digits = phonenumbers.national_significant_number(number)
    if phonenumbers.region_code_for_number(number) != settings.region:
        digits = f"{number.country_code}{digits}"
    return " ".join(digits)
