"""Voice prompts: generated with espeak-ng + sox, overridden by the admin's own recordings;
readings (counts, dates, clock times, numbers) put together from them."""

from paivystys.appliance.prompts.generate import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    PROMPTS,
    generate_prompts,
    prompt_path,
)

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "PROMPTS", "generate_prompts", "prompt_path"]
