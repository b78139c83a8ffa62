"""Schemathesis hooks for tests/schemathesis.sh: one check, `accepted_unless_a_stated_rule`.

It is schemathesis's own `positive_data_acceptance` (a request the OpenAPI description
allows must not be refused) with one difference. JSON Schema cannot state the rules that
depend on the records as they stand or on today's date, so the description states them in
words, and the service's refusal names the field and the rule. A refusal of a schema-valid
request (400 or 422) passes only if every problem it names is one of those rules, listed
below; any other refusal (an empty string, a number written 3.0, a field the description
forgot) is a finding.
"""

import json
import re

import schemathesis

try:  # Coverage probes of methods and statuses the description does not list: not data.
    from schemathesis.specs.openapi.checks import is_unexpected_http_status_case
except ImportError:  # pragma: no cover - another version of schemathesis

    def is_unexpected_http_status_case(case):
        return False

# What positive_data_acceptance accepts by default (schemathesis 4's config/_checks.py).
ACCEPTED = {401, 403, 404, 409, 429}

# The rules the description states in words, as the service words them. Each is about the
# records as they stand, today's date, or two values that must be in order.
STATED_RULES = [
    # A person, member, meeting or item that does not exist, or does not belong.
    r"^no person \".*\" in this organisation$",
    r"^no .* in this (organisation|committee|meeting)",
    r"^no (agenda item|meeting|declaration|membership) \d+",
    r"is not a member",
    r"^was not present at the meeting",
    # A member who took part although their declaration says they stand aside.
    r"stayed and took part, but their declaration \d+ ",
    r"^applies only to a member who stayed and took part$",
    r"^is listed twice",
    r"^declaration \d+ is not one of .*'s$",
    r"^is a member of the committee already; record their attendance instead$",
    r"declared a conflict on item .*, so must be recorded as present$",
    r"^must be the date of the meeting that took it",
    r"^is already used by another ",
    r" is already recorded on that date$",
    # Dates: not in the future, not before the date they follow.
    r"^cannot be in the future$",
    r"^cannot be before ",
    r"^the interest already ended on ",
    # Changes the record's state does not allow.
    r"^this version is not awaiting review",
    r"^the entry is (not|already) withheld$",
    r"^the entry was withdrawn and cannot change$",
    r"^decision \d+ was withdrawn and cannot change$",
    r"^a return can only be accepted or returned for changes$",
    r"^applies only to indirect interests$",
    r"^is required for an indirect interest",
    r"current declarations?; end (it|them) first",
    r"^is required when no committee item is given",
    r"^must be at least \d+, the number of required categories$",
    r"^must be false for an observer",
    r"^cannot include observers",
    # People: a name like someone's already here is confirmed first; a record retired or
    # merged does not change; what a retirement or merger refuses.
    r"very similar to the name of .*; if this is someone else, confirm_similar must be true$",
    r" was (retired|merged) and cannot change$",
    r" is on a committee's records and cannot be retired or merged$",
    r" has current entries; merge them into the right person's record instead$",
    r" has entries awaiting review; review them before merging$",
    r"^cannot be the person being merged$",
    r"^is required: the slug of a person$",
    # The organisation's gift thresholds.
    r"senior manager who approved it",
    # A committee's constitution, and the quorum a decision needs.
    r"^on \d{4}-\d{2}-\d{2}: ",
    r"quorum",
    r"quorate",
    r"counts for this item$",
    r"can preside$",
    r"did not record a decision",
    r"^the committee has ",
    r"; the .* must (be a lay member|vote)$",
    # Editions: as at a day that is over and the chain reaches, one per date, a year end
    # as at 31 March.
    r"^must be a day that is over: before ",
    r"^year_end is only for an edition as at 31 March$",
    r"^there is an edition as at .* already",
    r"^the chain has no entries on or before ",
    r"^is past the last day there is$",
    # The register of GP earnings: consecutive years, one figure a practice and year,
    # a source on the web, at least one GP.
    r"^must be a financial year written as 2025/26",
    r"^already has a figure for practice ",
    r"^GP earnings entry \d+ was withdrawn and cannot change$",
    r"^must be a web address starting https:// or http://",
    r"^must be at least 1 when there are no full-time GPs",
    r"^must be whole pounds",
    # The chain's length, for audit ranges and proofs.
    r"the chain's length",
    r"^start must be at least 1 and end at least start",
]
STATED = [re.compile(rule) for rule in STATED_RULES]
# Constitution and quorum problems are reported under their own names.
STATE_FIELDS = re.compile(r"^(constitution|quorum)(\.|$)")


def unexplained(status, body):
    """The problems of a refusal that are not stated rules (all of them if unreadable)."""
    try:
        answer = json.loads(body)
    except ValueError:
        return [body[:200]]
    if status == 422 and isinstance(answer.get("fields"), dict):
        problems = answer["fields"].items()
    else:
        problems = [("", answer.get("error", ""))]
    return [
        f"{field}: {message}" if field else message
        for field, message in problems
        if not (STATE_FIELDS.match(field) or any(rule.search(str(message)) for rule in STATED))
    ]


@schemathesis.check
def accepted_unless_a_stated_rule(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or is_unexpected_http_status_case(case):
        return None
    status = response.status_code
    if status < 400 or status >= 500 or status in ACCEPTED:
        return None
    problems = unexplained(status, response.text) if status in (400, 422) else [f"status {status}"]
    if problems:
        raise AssertionError(
            f"Schema-valid request refused with {status} for a reason the description does not state: "
            + "; ".join(problems)
        )
    return None
