"""Deterministic synthetic help-desk text (tickets, replies, e-mails).

Copied from the peer harness ``/work/shared/bench/peer_django_helpdesk/textgen.py``
(text and functions unchanged; only this header, `ruff format` and one `noqa` added). Its
README asks that it be reused so that Storedesk and the peer (django-helpdesk) are measured
on identical generated text; the harness carries no licence header of its own and was
written for this comparison.

Pure standard library, no Django.
"""

FIRST = [
    "Alice",
    "Bob",
    "Carla",
    "Deepak",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Liam",
    "Mei",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
]
LAST = [
    "Smith",
    "Okafor",
    "Nguyen",
    "Garcia",
    "Muller",
    "Kowalski",
    "Tanaka",
    "Silva",
    "Haddad",
    "Johansson",
    "Rossi",
    "Patel",
    "Dubois",
    "Kim",
    "Novak",
    "Ahmed",
    "Brown",
    "Costa",
]
DOMAINS = [
    "example.com",
    "example.org",
    "example.net",
    "acme.test",
    "globex.test",
    "initech.test",
    "umbrella.test",
    "hooli.test",
    "stark.test",
    "wayne.test",
]

# topic: (title templates, symptom sentences, resolution sentences)
TOPICS = {
    "vpn": (
        [
            "VPN disconnects every {n} minutes",
            "Cannot connect to VPN from home office",
            "VPN client shows certificate error",
            "Slow VPN throughput since {day}",
        ],
        [
            "The VPN client drops the tunnel and asks me to log in again.",
            "I get 'TLS handshake failed' when the VPN tries to connect.",
            "Remote desktop over the VPN is unusable, latency is above {n}00 ms.",
        ],
        [
            "Reissued the VPN certificate and updated the client profile.",
            "MTU on the VPN gateway lowered to 1380; tunnel is stable now.",
        ],
    ),
    "printer": (
        [
            "Printer on floor {n} jams on duplex",
            "Cannot add network printer",
            "Printer queue stuck with {n} jobs",
            "Scanned PDFs from printer are blank",
        ],
        [
            "The printer shows paper jam in tray {n} although the tray is empty.",
            "Print jobs stay in the queue as 'spooling' and never print.",
            "The printer driver install fails with error 0x{n}F.",
        ],
        [
            "Cleared the spooler and reinstalled the printer driver.",
            "Replaced the pickup roller; printer tested with 50 duplex pages.",
        ],
    ),
    "password": (
        [
            "Password reset link expired",
            "Locked out after password change",
            "Password expiry notice keeps appearing",
            "Cannot reset password for {app}",
        ],
        [
            "The password reset e-mail arrives but the link says it has expired.",
            "After changing my password my account got locked on {app}.",
            "I am asked to change my password every day since {day}.",
        ],
        [
            "Unlocked the account and synced the password to all directories.",
            "Password policy corrected; reset link lifetime raised to 24h.",
        ],
    ),
    "invoice": (
        [
            "Invoice {inv} shows wrong VAT",
            "Duplicate charge on invoice {inv}",
            "Need copy of invoice {inv}",
            "Invoice address outdated",
        ],
        [
            "Invoice {inv} lists VAT at 19% but we are VAT exempt.",
            "Our card was charged twice for invoice {inv} on {day}.",
            "Please send a PDF copy of invoice {inv} for our accounting team.",
        ],
        [
            "Credit note issued and corrected invoice sent.",
            "Refunded the duplicate charge; it should appear in 3-5 business days.",
        ],
    ),
    "email": (
        [
            "Outlook not syncing mailbox",
            "E-mails to {domain} bounce",
            "Shared mailbox missing in {app}",
            "Spam filter blocks customer e-mails",
        ],
        [
            "Outlook shows 'Trying to connect' and the inbox has not updated since {day}.",
            "Messages to {domain} bounce with 550 5.7.1 relay denied.",
            "Legitimate customer e-mails end up in quarantine.",
        ],
        [
            "Rebuilt the Outlook profile; mailbox syncs again.",
            "Added SPF include for the partner domain; bounces stopped.",
        ],
    ),
    "laptop": (
        [
            "Laptop battery drains in {n} hours",
            "Laptop will not boot after update",
            "Replace broken laptop keyboard",
            "Laptop fan very loud",
        ],
        [
            "Since the update on {day} the laptop shows a black screen after the logo.",
            "Battery health reports {n}% and the laptop shuts down at 30%.",
            "Several keys on the laptop keyboard stopped working.",
        ],
        ["Rolled back the firmware update; laptop boots normally.", "Battery replaced under warranty."],
    ),
    "access": (
        [
            "Need access to {app} project",
            "Permission denied on shared drive",
            "Request admin rights for {app}",
            "New starter needs accounts",
        ],
        [
            "I get 'permission denied' when opening the finance folder on the shared drive.",
            "Please grant me editor access to the {app} workspace.",
            "New colleague {name} starts on {day} and needs e-mail, {app} and VPN.",
        ],
        ["Added the user to the correct security group.", "Accounts created and credentials handed over."],
    ),
    "billing": (
        [
            "Upgrade plan to {n} seats",
            "Cancel subscription renewal",
            "Payment failed for order {inv}",
            "Refund request for order {inv}",
        ],
        [
            "We need to upgrade from {n} to {n}0 seats before the next billing cycle.",
            "The payment for order {inv} failed although the card is valid.",
            "Please cancel the automatic renewal of our subscription.",
        ],
        ["Plan upgraded, prorated charge applied.", "Renewal cancelled; subscription ends at the end of the term."],
    ),
    "app": (
        [
            "{app} crashes on startup",
            "{app} very slow since {day}",
            "Error 500 when saving in {app}",
            "Export to CSV broken in {app}",
        ],
        [
            "{app} closes immediately after the splash screen.",
            "Saving a record in {app} returns 'Internal Server Error'.",
            "Exporting more than {n}000 rows to CSV produces an empty file.",
        ],
        [
            "Cleared the local cache of {app}; crash no longer reproduces.",
            "Fixed in {app} release {n}.{n}; deployed to production.",
        ],
    ),
}
APPS = ["Salesforce", "Jira", "SAP", "Slack", "Teams", "Zoom", "Confluence", "Workday", "Tableau", "Xero"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "last week", "yesterday", "the update"]
OPENERS = ["Hi,", "Hello support,", "Good morning,", "Dear team,", "Hi there,", ""]
CLOSERS = ["Thanks!", "Kind regards,", "Best,", "Cheers,", "Thank you in advance.", ""]
FILLER = [
    "This is affecting our whole team.",
    "It worked fine until recently.",
    "I already restarted the computer twice.",
    "Please treat this as urgent.",
    "Screenshots can be provided if needed.",
    "We are on the {app} enterprise plan.",
    "Nothing changed on our side as far as I know.",
    "The issue is intermittent.",
]
CUST_REPLIES = [
    "Thanks, but the problem is still there.",
    "I tried that and it did not help.",
    "That fixed it, thank you!",
    "When can we expect an update on this?",
    "It happened again this morning at {n}:15.",
    "Please see my previous message.",
]
AGENT_REPLIES = [
    "Thanks for the report, we are looking into it.",
    "Could you send us the exact error message and a screenshot?",
    "We have escalated this to the second-level team.",
    "A fix has been applied, please confirm it works for you.",
    "Internal note: likely related to the change on {day}.",
    "Can you try again now? We restarted the affected service.",
]


def _fill(rng, s, name="Alex"):
    return s.format(
        n=rng.randint(2, 9),
        day=rng.choice(DAYS),
        app=rng.choice(APPS),
        inv=f"INV-{rng.randint(10000, 99999)}",
        domain=rng.choice(DOMAINS),
        name=name,
    )


def customer_email(rng, i):
    f = FIRST[i % len(FIRST)].lower()
    l = LAST[(i // len(FIRST)) % len(LAST)].lower()  # noqa: E741 - kept as in the peer copy
    return f"{f}.{l}{i}@{DOMAINS[i % len(DOMAINS)]}"


def person(rng):
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def ticket_text(rng, topic=None):
    """-> (title, description, topic)"""
    topic = topic or rng.choice(list(TOPICS))
    titles, symptoms, _ = TOPICS[topic]
    title = _fill(rng, rng.choice(titles))
    body = [rng.choice(OPENERS), _fill(rng, rng.choice(symptoms), person(rng))]
    body += [_fill(rng, s) for s in rng.sample(FILLER, rng.randint(1, 3))]
    body += [rng.choice(CLOSERS), person(rng)]
    return title, "\n\n".join(p for p in body if p), topic


def resolution(rng, topic):
    return _fill(rng, rng.choice(TOPICS[topic][2]))


def followup_text(rng, from_customer):
    pool = CUST_REPLIES if from_customer else AGENT_REPLIES
    parts = [_fill(rng, rng.choice(pool))]
    if rng.random() < 0.5:
        parts.append(_fill(rng, rng.choice(FILLER)))
    return "\n\n".join(parts)
