"""The languages the appliance speaks, by their ISO 639-1 codes: its voice prompts (the
setting prompt_language) and its SMS texts (sms_language).  Finnish first: the default."""

PROMPT_LANGUAGES = ("fi", "en", "sv")
SMS_LANGUAGES = ("fi", "en", "sv")
