"""Input validation for the JSON API. Pure functions: they raise ValidationFailed, never touch the DB.

Everything a client can send is checked here so bad input answers 400 and never
reaches the database as a value Postgres would reject (NUL bytes, lone
surrogates, integers out of range, ...), which would otherwise be a 500.
"""

import json

from .models import TEXT_MAX

MAX_ID = 2**63 - 1  # bigint / BigAutoField
MIN_CHOICES = 2
MAX_CHOICES = 20
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_OFFSET = 1_000_000


class ValidationFailed(Exception):
    """A 4xx answer: ``errors`` maps a field (or "body") to a list of messages."""

    def __init__(self, errors, status=400):
        super().__init__(errors)
        self.errors = errors
        self.status = status


def parse_json_object(raw):
    """Bytes of a request body -> dict, or ValidationFailed."""
    if not raw:
        raise ValidationFailed({"body": ["Request body is empty; send a JSON object."]})
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed({"body": ["Request body is not valid UTF-8."]}) from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValidationFailed({"body": ["JSON is nested too deeply."]}) from None
    except ValueError as exc:  # JSONDecodeError, or an integer literal with too many digits
        raise ValidationFailed({"body": [f"Malformed JSON: {exc}"]}) from None
    if not isinstance(data, dict):
        raise ValidationFailed({"body": ["Expected a JSON object."]})
    return data


def clean_text(value, field, errors):
    """A non-blank string of at most TEXT_MAX characters that Postgres can store."""
    if not isinstance(value, str):
        errors.setdefault(field, []).append("Must be a string.")
        return None
    value = value.strip()
    problems = []
    if not value:
        problems.append("Must not be blank.")
    if len(value) > TEXT_MAX:
        problems.append(f"Must be at most {TEXT_MAX} characters (got {len(value)}).")
    if "\x00" in value:
        problems.append("Must not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        problems.append("Must not contain unpaired surrogate characters.")
    if problems:
        errors.setdefault(field, []).extend(problems)
        return None
    return value


def reject_unknown(data, allowed, errors):
    for key in sorted(set(data) - set(allowed)):
        errors.setdefault(key, []).append("Unknown field.")


def clean_question(data):
    """{"text": str, "choices": [str, ...]} -> (text, [choice texts])."""
    errors = {}
    reject_unknown(data, ("text", "choices"), errors)
    if "text" not in data:
        errors.setdefault("text", []).append("This field is required.")
        text = None
    else:
        text = clean_text(data["text"], "text", errors)
    choices = []
    raw = data.get("choices")
    if raw is None:
        errors.setdefault("choices", []).append("This field is required.")
    elif not isinstance(raw, list):
        errors.setdefault("choices", []).append("Must be a list of strings.")
    elif not (MIN_CHOICES <= len(raw) <= MAX_CHOICES):
        errors.setdefault("choices", []).append(
            f"Must have between {MIN_CHOICES} and {MAX_CHOICES} choices (got {len(raw)})."
        )
    else:
        for i, item in enumerate(raw):
            choices.append(clean_text(item, f"choices[{i}]", errors))
        seen = [c for c in choices if c is not None]
        if len(set(seen)) != len(seen):
            errors.setdefault("choices", []).append("Choices must be unique.")
    if errors:
        raise ValidationFailed(errors)
    return text, choices


def clean_id(value, field, errors):
    # bool is an int subclass in Python: true/false are not ids.
    if isinstance(value, bool) or not isinstance(value, int):
        errors.setdefault(field, []).append("Must be an integer id.")
        return None
    if not (1 <= value <= MAX_ID):
        errors.setdefault(field, []).append("Must be a positive id.")
        return None
    return value


def clean_vote(data):
    """{"choice": id} -> id."""
    errors = {}
    reject_unknown(data, ("choice",), errors)
    if "choice" not in data:
        errors.setdefault("choice", []).append("This field is required.")
        choice = None
    else:
        choice = clean_id(data["choice"], "choice", errors)
    if errors:
        raise ValidationFailed(errors)
    return choice


def clean_page(query):
    """?limit=&offset= (a QueryDict or dict) -> (limit, offset)."""
    errors = {}
    out = {}
    for name, default, maximum in (("limit", DEFAULT_LIMIT, MAX_LIMIT), ("offset", 0, MAX_OFFSET)):
        raw = query.get(name)
        if raw is None or raw == "":
            out[name] = default
            continue
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
            errors.setdefault(name, []).append(f"Must be an integer between 0 and {maximum}.")
            continue
        value = int(raw)
        low = 1 if name == "limit" else 0
        if not (low <= value <= maximum):
            errors.setdefault(name, []).append(f"Must be an integer between {low} and {maximum}.")
            continue
        out[name] = value
    if errors:
        raise ValidationFailed(errors)
    return out["limit"], out["offset"]
