"""Is this mail from a person, or noise? Pure: decides from headers and content only.

Noise is kept (as an ignored InboundEmail with the reason) but never becomes a message, never
reopens a conversation and is never answered automatically, which is what stops mail loops
between our replies and someone's out-of-office.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storedesk.channels.email.parse import Address, ParsedEmail

NONE = ""
AUTO_REPLY = "auto_reply"
BOUNCE = "bounce"
LIST = "list"
OWN = "own"
SPAM = "spam"

_BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery (status notification|failure|failed|has failed|problem)|returned mail|failure notice|"
    r"mail delivery (failed|subsystem)|non remis|unzustellbar|nicht zugestellt|no se pudo entregar|"
    r"could not be delivered|message not delivered|退信|未能送达",
    re.IGNORECASE,
)
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|ooo\b|abwesenheit|automatische antwort|"
    r"réponse automatique|reponse automatique|absence|fuera de la oficina|respuesta automática|risposta automatica|"
    r"fuori ufficio|afwezig|automatisch antwoord|自动回复|自動回覆|自動応答|不在)",
    re.IGNORECASE,
)
_NOREPLY = re.compile(r"^(no-?reply|do-?not-?reply|donotreply|notifications?|mailer)[@+.-]", re.IGNORECASE)
_SPAM_SCORE = re.compile(r"(?:score|hits)\s*=\s*(-?\d+(?:\.\d+)?)", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    kind: str  # one of NONE, AUTO_REPLY, BOUNCE, LIST, OWN, SPAM
    reason: str = ""

    @property
    def is_noise(self) -> bool:
        return self.kind != NONE


def customer_address(parsed: ParsedEmail, own: set[str]) -> Address | None:
    """Who the customer is: From, unless From is one of ours or a no-reply sender (a contact
    form, a store platform relaying a customer) and Reply-To names someone else."""
    sender = parsed.sender
    foreign_reply_to = [address for address in parsed.reply_to if address.email not in own]
    if sender is None:
        return foreign_reply_to[0] if foreign_reply_to else None
    if (sender.email in own or _NOREPLY.match(sender.email)) and foreign_reply_to:
        return foreign_reply_to[0]
    return sender


def spam_score(parsed: ParsedEmail) -> float | None:
    """The score an upstream filter (SpamAssassin, rspamd) wrote into the headers, if any."""
    if parsed.header("x-spam-flag").strip().lower() == "yes":
        return float("inf")
    for name in ("x-spam-score", "x-rspamd-score"):
        value = parsed.header(name).strip()
        if value:
            try:
                return float(value.split()[0])
            except ValueError:
                pass
    match = _SPAM_SCORE.search(parsed.header("x-spam-status"))
    return float(match.group(1)) if match else None


def classify(parsed: ParsedEmail, own: set[str], spam_threshold: float | None = None) -> Verdict:
    """Decide what kind of mail this is. `own` holds the store's addresses (lower-case)."""
    h = parsed.header
    sender = parsed.sender.email if parsed.sender else ""
    if sender in own and not any(address.email not in own for address in parsed.reply_to):
        return Verdict(OWN, f"sent from our own address {sender}")
    if parsed.report is not None:
        return Verdict(BOUNCE, f"delivery status notification ({parsed.report.action or 'unknown action'})")
    if h("x-failed-recipients") or (
        (_BOUNCE_SENDERS.match(sender) or h("return-path").strip() == "<>") and _BOUNCE_SUBJECT.search(parsed.subject)
    ):
        return Verdict(BOUNCE, "bounce")
    auto_submitted = h("auto-submitted").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return Verdict(AUTO_REPLY, f"Auto-Submitted: {auto_submitted}")
    if h("x-autoreply") or h("x-autorespond") or h("x-autoresponder"):
        return Verdict(AUTO_REPLY, "X-Autoreply")
    precedence = (h("precedence") or h("x-precedence")).strip().lower()
    if precedence == "auto_reply":
        return Verdict(AUTO_REPLY, "Precedence: auto_reply")
    if _AUTO_SUBJECT.match(parsed.subject):
        return Verdict(AUTO_REPLY, "auto-reply subject")
    if h("return-path").strip() == "<>":
        return Verdict(AUTO_REPLY, "null Return-Path (automatic message)")
    if spam_threshold is not None:
        score = spam_score(parsed)
        if score is not None and score >= spam_threshold:
            return Verdict(SPAM, f"spam score {score:g} ≥ {spam_threshold:g}")
    if h("list-id") or h("list-unsubscribe") or h("list-post"):
        return Verdict(LIST, "mailing list (List-Id / List-Unsubscribe)")
    if precedence in ("bulk", "list", "junk"):
        return Verdict(LIST, f"Precedence: {precedence}")
    return Verdict(NONE)
