"""The intent engine's training phrases, written for Storedesk (no third-party text).

Each intent has up to four kinds of phrase, combined with the wrappers in `wrappers.py`:

- `do`: an infinitive verb phrase ("cancel {order}") — "I want to …", "how do I …";
- `doing`: a gerund phrase ("cancelling {order}") — "help me …", "trouble …";
- `about`: a noun phrase ("the cancellation fee") — "information about …", "question on …";
- `say`: a whole message ("where is my parcel").

`[a|b|c]` picks one alternative; `{slot}` is filled from `slots.py`. The generator in
`__init__.py` samples a few hundred distinct examples per intent from these.
"""

from __future__ import annotations

ORDER = "[order|purchase|order|purchase]"
SHIP_ADDR = "[shipping|delivery|postal|shipment] address"

PHRASES: dict[str, dict[str, list[str]]] = {
    "cancel_order": {
        "do": [
            "cancel {order}",
            f"cancel my {ORDER}",
            "cancel the [order|purchase] I [made|placed] [yesterday|today|last week|this morning]",
            "call off {order}",
            "[stop|withdraw] {order}",
            "cancel the {item} I [ordered|bought]",
            "get rid of {order}",
            "undo {order}",
        ],
        "doing": [
            "cancelling {order}",
            "canceling {order}",
            f"cancelling my {ORDER}",
            "calling off {order}",
        ],
        "about": [
            "[the cancellation|cancellation] of {order}",
            f"{ORDER} cancellation",
            "cancelling an order",
        ],
        "say": [
            "I [don't|do not] want {order} anymore, cancel it",
            "I changed my mind, please cancel {order}",
            "I ordered the {item} by mistake, cancel it",
            "I can't afford the {item}, [cancel|please cancel] {order}",
            "[please|pls] cancel {order}",
            "cancel {order} [now|asap|right away|immediately]",
            "I no longer need {order}, can it be cancelled",
        ],
    },
    "change_order": {
        "do": [
            "[change|modify|edit|update|amend] {order}",
            f"[change|modify|edit|update|amend] my {ORDER}",
            "add [an item|another item|a {item}|something] to {order}",
            "remove [an item|the {item}|something] from {order}",
            "[swap|replace|exchange] the {item} in {order}",
            "change the [size|colour|color|quantity] of the {item} in {order}",
            "[change|switch] [an item|something|a product] [of|in] {order}",
        ],
        "doing": [
            "[changing|modifying|editing|updating|amending] {order}",
            "adding [an item|a {item}|something] to {order}",
            "removing [an item|the {item}] from {order}",
            "[switching|swapping] [items|products|something] [of|in] {order}",
        ],
        "about": [
            "[changes|modifications|edits] to {order}",
            f"[an amendment|a change] to my {ORDER}",
        ],
        "say": [
            "I [ordered|picked] the wrong size, can I change {order}",
            "I want [a different|another] colour for the {item} in {order}",
            "I forgot to add the {item} to {order}",
            "I need [two|three|more] {item}s instead of one in {order}",
            "can I still [change|edit] {order} before it ships",
        ],
    },
    "change_shipping_address": {
        "do": [
            f"[change|update|correct|fix|modify|edit] [my|the] {SHIP_ADDR}",
            f"[change|update|correct] the {SHIP_ADDR} [of|for|on] {{order}}",
            "[send|ship|deliver] {order} to a different address",
            "[change|update] where {order} is [delivered|shipped|sent]",
        ],
        "doing": [
            f"[changing|updating|correcting|modifying|editing] [my|the] {SHIP_ADDR}",
            f"[changing|updating] the {SHIP_ADDR} [of|for] {{order}}",
        ],
        "about": [
            f"[a change|an update] of [my|the] {SHIP_ADDR}",
            f"[wrong|incorrect|old] {SHIP_ADDR}",
        ],
        "say": [
            f"I [moved|moved house|have moved], I need to [change|update] my {SHIP_ADDR}",
            f"I [typed|entered|put] the wrong {SHIP_ADDR}",
            f"the {SHIP_ADDR} on {{order}} is [wrong|incorrect|outdated|old]",
            "I made a mistake in my address, can you fix it",
            "[my|the] address [changed|is wrong], can {order} go to my new one",
        ],
    },
    "check_cancellation_fee": {
        "do": [
            "[check|see|find out|know] the [cancellation|cancelation] [fee|fees|charge|penalty|penalties]",
            "[check|see|know] [the|your] early [termination|exit|cancellation] [fee|fees|charge|penalty]",
            "[check|see|find out] how much it costs to cancel",
            "[check|see] if there is a [fee|charge|penalty] for cancelling",
        ],
        "doing": [
            "[checking|seeing] the [cancellation|early termination|early exit] [fee|fees|penalty|charge]",
        ],
        "about": [
            "[the|your] [cancellation|cancelation] [fee|fees|charge|charges|penalty|penalties]",
            "[the|your] early [termination|exit] [fee|fees|charge|penalty|penalties]",
            "[fees|penalties|charges] for cancelling",
        ],
        "say": [
            "how much [is|do you charge for] [the|a] [cancellation|cancelation] [fee|penalty]",
            "is there a [fee|charge|penalty] [if|when] I cancel",
            "will I be charged [a fee|anything|extra] if I cancel",
            "do you charge [a fee|anything] for cancelling [my contract|early|my plan|an order]",
            "what does it cost to [cancel|terminate] early",
            "what's the [penalty|fee] for early [termination|cancellation|exit]",
        ],
    },
    "check_invoice": {
        "do": [
            "[check|see|view|look at|find|locate|review] {invoice}",
            "[check|see|view|find|locate] [my|the] [invoices|bills|billing history] [from|for] {period}",
            "[check|see|find|locate] the [invoice|bill] [from|of] {person}",
            "[see|check] [what|how much] I was [billed|invoiced|charged] [on|for] {invoice}",
        ],
        "doing": [
            "[checking|seeing|viewing|finding|locating] {invoice}",
            "[checking|viewing|locating] [my|the] [invoices|bills] [from|for] {period}",
        ],
        "about": [
            "[my|the] [invoices|bills|billing history] [from|for] {period}",
            "the [details|amount] [of|on] {invoice}",
        ],
        "say": [
            "where [can I|do I] [see|find|check] {invoice}",
            "I [can't|cannot|don't know how to] [find|locate|see] {invoice} [on my account|online|]",
            "[show|let me see] [me |]{invoice}",
            "I want to [take a look at|review] my [invoices|bills] from {period}",
        ],
    },
    "check_payment_methods": {
        "do": [
            "[check|see|know|find out|view] [the|your] [payment|pay] [methods|options|modalities]",
            "[check|see|know] [which|what] [payment methods|payment options|cards] [you accept|are accepted|are available]",
            "[see|check] if [I can pay|you accept payment] [with|by|via] {paymethod}",
            "[list|see] [the|all] [ways|options] to pay",
        ],
        "doing": ["[checking|seeing|listing] [the|your] [payment|available payment] [methods|options]"],
        "about": [
            "[the|your|accepted|available|allowed] [payment|pay] [methods|options|modalities]",
            "[ways|options] to pay",
            "[accepted|supported] [cards|payment types]",
        ],
        "say": [
            "[can I|is it possible to] pay [with|by|via|using] {paymethod}",
            "do you [accept|take|support] {paymethod}",
            "how can I pay [for my order|for the {item}|you]",
            "what [payment methods|payment options|cards] do you [accept|take|have|offer]",
            "which [ways|options] [of payment|to pay] [are there|do you have]",
        ],
    },
    "check_refund_policy": {
        "do": [
            "[check|see|read|know|understand|find] [the|your] [refund|money back|reimbursement] [policy|policies|terms|rules]",
            "[check|see|know] in [what|which] [cases|situations|circumstances] I can [get|request|ask for|claim] [a refund|refunds|my money back]",
            "[check|see|know] [if|whether] I [can get|am entitled to|qualify for] a refund",
        ],
        "doing": ["[checking|reading|seeing] [the|your] [refund|money back] [policy|policies|terms]"],
        "about": [
            "[the|your] [refund|money-back|money back|reimbursement] [policy|policies|guarantee|terms|conditions]",
            "[the|your] [conditions|rules] for [refunds|getting a refund|a reimbursement]",
        ],
        "say": [
            "[what|which] is [the|your] [refund|money back] policy",
            "[in what|in which] [cases|situations] [can I|do I] get [a refund|my money back]",
            "do you [offer|have|give] [refunds|a money back guarantee|a refund policy]",
            "am I [entitled to|eligible for] a refund",
            "how many days do I have to [ask for|request] a refund",
            "[is|are] {item}s [refundable|eligible for a refund]",
        ],
    },
    "complaint": {
        "do": [
            "[file|make|lodge|submit|open|raise|register|write] a [complaint|claim|formal complaint|customer complaint|consumer complaint|reclamation]",
            "[complain|make a complaint] about [your service|the service|your company|an agent|the {item}|{order}]",
            "[file|lodge] a [complaint|claim] against [your company|your business|you]",
        ],
        "doing": [
            "[filing|making|lodging|submitting|raising|opening] a [complaint|claim|formal complaint|reclamation]",
            "complaining about [your service|your company|the {item}]",
        ],
        "about": [
            "a [complaint|formal complaint|customer complaint|claim|reclamation] [against your company|about your service|]"
        ],
        "say": [
            "I am [very|really|extremely|so] [unhappy|dissatisfied|disappointed|annoyed|angry|upset] with [your service|your company|the {item}|the support]",
            "[your|the] [service|support|product|{item}] is [terrible|awful|horrible|a joke|unacceptable|useless|the worst]",
            "this is [unacceptable|ridiculous|outrageous|a disgrace]",
            "I want to complain",
            "I'm [fed up|sick and tired] [with|of] [your service|your company|waiting|this]",
            "[your|the] [agent|employee|staff|courier] was [rude|disrespectful|unhelpful]",
            "I have a complaint",
            "worst [service|experience|company] ever",
        ],
    },
    "contact_customer_service": {
        "do": [
            "[contact|reach|call|email|write to|get in touch with|talk to] [customer service|customer support|customer care|customer assistance|support|the support team]",
            "[check|know|find out|see] [what|which] [hours|time] [I can|can I] [reach|call|contact] [customer service|customer support|support|customer assistance]",
            "[find|get|know] [the|your] [customer service|support|customer care] [phone number|number|email|email address|hours|opening hours]",
        ],
        "doing": [
            "[contacting|reaching|calling|emailing|getting in touch with] [customer service|customer support|customer assistance|the support team]",
        ],
        "about": [
            "[the|your] [customer service|customer support|customer care|support|helpdesk] [phone number|number|email address|email|hours|opening hours|contact details]",
            "[customer service|customer support|customer assistance] [contact|hours|number]",
            "a [phone number|number|email address] to [contact|reach] [customer service|support|you]",
        ],
        "say": [
            "[how|where] can I [contact|reach] [customer service|customer support|your support|you]",
            "what [are|is] [your|the] [customer service|support] [hours|number|email|phone number]",
            "when [is|are] [customer service|customer support|the support team|your support] [open|available]",
            "is there [a phone number|an email|a number] [for|to contact] [customer service|support|customer assistance]",
            "[what time|at what time] can I [call|reach] [customer service|customer support|the helpdesk]",
        ],
    },
    "contact_human_agent": {
        "do": [
            "[talk|speak|chat] [to|with] [a human|a person|a real person|a human agent|an agent|an operator|someone|a live agent|an assistant|a representative|a rep|somebody real]",
            "[get|be transferred to|be put through to|reach] [a human|a person|a real person|an agent|an operator|someone|a live agent|a representative]",
            "[contact|reach] [someone|somebody|a human|a person|an operator]",
        ],
        "doing": [
            "[talking|speaking|chatting] [to|with] [a human|a person|a real person|an agent|an operator|someone|a live agent|an assistant|a representative]",
        ],
        "about": ["a [human|real person|live agent|human agent|operator|representative]"],
        "say": [
            "[human|agent|operator|representative|real person] [please|pls|now|]",
            "[let me|can I] [talk|speak] to [a human|a person|someone|an agent|a real person]",
            "I [don't|do not] want to talk to a [bot|robot|machine]",
            "[are you|is this] a [bot|robot|real person|human]",
            "[get me|put me through to|transfer me to|connect me with] [a human|a person|an agent|someone|an operator]",
            "is [anyone|someone|somebody] [there|available] to [help|talk|chat]",
        ],
    },
    "create_account": {
        "do": [
            "[create|open|make|set up|register|sign up for|start] [a|an|a new|another|one more] {acct} account",
            "[create|open|make|set up|register] an account [for my {relative}|for me|]",
            "[create|open] [a|a new] {acct} account for my {relative}",
            "[become a member|register|sign up|join|subscribe as a user]",
        ],
        "doing": [
            "[creating|opening|making|setting up|registering] [a|a new|another] {acct} account",
            "[signing up|registering] for [an|a new] account",
        ],
        "about": [
            "[a new|a|an|another] {acct} account",
            "[creating|opening|the creation of] [a|an] {acct} account",
            "[new|a new] account [creation|registration|sign-up|signup]",
        ],
        "say": [
            "I [don't|do not] have an account yet, [how do I get one|I want one|can I make one]",
            "I [want|need|would like] [an|a new|another] {acct} account",
            "[how|where] do I [sign up|register|create an account|open an account]",
            "can I [have|get] [an|a second|another] account",
        ],
    },
    "delete_account": {
        "do": [
            "[delete|close|remove|cancel|terminate|deactivate|erase] my {acct} account",
            "[delete|close|remove|cancel|terminate|deactivate|erase] [my|the|this] account",
            "[unregister|leave your platform|get rid of my account]",
            "[delete|erase|remove] my [profile|user account|data and account]",
        ],
        "doing": [
            "[deleting|closing|removing|cancelling|canceling|terminating|deactivating] [my|the|a] {acct} account",
            "[deleting|closing|cancelling|terminating] my [user |]account",
        ],
        "about": [
            "[the|a|an] [deletion|closure|removal|termination|cancellation|deactivation] of [my|a|an] {acct} account",
            "account [deletion|closure|removal|termination|cancellation]",
        ],
        "say": [
            "I [don't|no longer] want [my|an] account [with you|here|anymore]",
            "[please|pls] [delete|close|remove] my account",
            "I [want|would like] you to [delete|erase] my account and data",
            "how do I [delete|close|cancel] my {acct} account",
        ],
    },
    "delivery_options": {
        "do": [
            "[check|see|know|find out|view] [the|your] [delivery|shipping|shipment] [options|methods|choices|types]",
            "[choose|pick|select] [a|the] [delivery|shipping] [option|method]",
            "[see|know] [if|whether] you [deliver|ship] to {place}",
            "[get|choose] [express|next day|standard|economy|same day] [delivery|shipping]",
        ],
        "doing": [
            "[checking|choosing|seeing] [the|your] [delivery|shipping|shipment] [options|methods]",
        ],
        "about": [
            "[the|your|available] [delivery|shipping|shipment] [options|methods|choices|types|carriers]",
            "[deliveries|shipping|shipments] to {place}",
            "[express|next day|standard|economy|same day|international] [delivery|shipping]",
            "[store pickup|click and collect|pick-up points|collection points]",
        ],
        "say": [
            "[do|can] you [ship|deliver|send] to {place}",
            "what [delivery|shipping] [options|methods] [do you have|do you offer|are there|are available]",
            "[how|in what ways] can I [get|receive] my [order|parcel|items] delivered",
            "do you [offer|have] [express|next day|same day|international] [delivery|shipping]",
            "can I [pick up|collect] my order [in store|myself|from a pickup point]",
            "which [couriers|carriers] do you use",
        ],
    },
    "delivery_period": {
        "do": [
            "[check|see|know|find out] how [long|many days] [delivery|shipping|it] [takes|will take]",
            "[check|see|know|find out] [when|how soon] [my|the] [order|item|{item}|parcel|package] will [arrive|be delivered|get here]",
            "[check|know|see] the [delivery|shipping|estimated delivery] [time|period|times|date]",
        ],
        "doing": [
            "[checking|seeing|knowing] how long [delivery|shipping] takes",
            "[checking|finding out] the [delivery|shipping] [time|period]",
        ],
        "about": [
            "[the|your] [delivery|shipping|shipment] [time|times|period|timeframe|duration]",
            "[the|an] estimated [delivery|arrival] [time|date] [for|to] {place}",
            "how long [delivery|shipping] takes",
        ],
        "say": [
            "how long [does|will] [delivery|shipping|it] take [to {place}|]",
            "how [soon|quickly|fast] can I [expect|get|receive] [my order|the {item}|my parcel|it]",
            "how many [days|business days|working days] [for delivery|does shipping take|until it arrives]",
            "when will [the {item}|my order|it] [arrive|be delivered|get here] if I order [today|now]",
            "[is|will] [delivery|shipping] [take more than|be within] a week",
        ],
    },
    "edit_account": {
        "do": [
            "[edit|update|change|modify|correct] [my|the] [account|profile|account details|account information|personal details|personal information|personal data|user details] [on my {acct} account|]",
            "[edit|update|change|modify] [my|the] {acct} account",
            "[change|update|correct] [my|the] [name|email|email address|phone number|date of birth|surname] [on|in] my [account|profile]",
        ],
        "doing": [
            "[editing|updating|changing|modifying] [my|the] [account|profile|account details|personal data|user information]",
            "[editing|updating|changing] [the|my] [details|information|data] on my {acct} account",
        ],
        "about": [
            "[editing|updating|changes to|modifying] [my|the] {acct} account",
            "[profile|account] [settings|details|information] [update|edit|change]",
        ],
        "say": [
            "my [name|email|phone number|surname] [is wrong|changed|is misspelled] on my [account|profile]",
            "[how|where] do I [edit|update|change] my [profile|account details|personal info]",
            "I [want|need] to [edit|update|change] [my|some] [account|profile] [info|information|details|data]",
        ],
    },
    "get_invoice": {
        "do": [
            "[get|download|receive|obtain|request|have] {invoice}",
            "[send|email|mail|give] me {invoice}",
            "[get|download|receive] [a copy of|a pdf of|a duplicate of] {invoice}",
            "[get|request|download] [an|the|my] [invoice|bill|receipt|VAT invoice] [for|of] {order}",
        ],
        "doing": [
            "[getting|downloading|receiving|obtaining|requesting] {invoice}",
        ],
        "about": ["[a copy|a pdf|a duplicate|a download] of {invoice}"],
        "say": [
            "[can you|could you|please] [send|email|mail|forward] [me |]{invoice}",
            "I [need|want|have to get] {invoice} [for my records|for my accounting|for work|]",
            "I [lost|can't find|deleted] {invoice}, [send|email|mail] it [to me|again]",
            "where do I download {invoice}",
            "I need a [receipt|invoice] for {order}",
        ],
    },
    "get_refund": {
        "do": [
            "[get|request|ask for|claim|receive|obtain] a [refund|reimbursement|compensation|rebate|repayment] [for {order}|for the {item}|of {amount}|]",
            "[get|request|ask for] [my money back|a refund of {amount}|{amount} back|compensation of my money]",
            "[return|send back] the {item} and get [my money back|a refund]",
            "[refund|reimburse|rebate] {amount}",
        ],
        "doing": [
            "[getting|requesting|asking for|claiming|obtaining] a [refund|reimbursement|rebate|compensation] [for {order}|of {amount}|]",
            "[refunding|reimbursing|rebating] {amount}",
            "getting my money back [for {order}|]",
        ],
        "about": ["a [refund|reimbursement|compensation|rebate] [of {amount}|for {order}|for the {item}|]"],
        "say": [
            "I [want|need|would like] [a refund|my money back|to be refunded|to be reimbursed] [for {order}|for the {item}|]",
            "[refund|reimburse] me [please|now|for {order}|]",
            "the {item} [was broken|arrived damaged|doesn't work|was faulty], I want [my money back|a refund]",
            "[give me|I demand] [a refund|my money back]",
            "can I [have|get] {amount} [back|refunded]",
        ],
    },
    "newsletter_subscription": {
        "do": [
            "[subscribe|sign up|register|join|opt in] [to|for] [the|your|your company|the corporate] newsletter",
            "[unsubscribe|opt out] [from|of] [the|your|your company|the corporate] newsletter",
            "[cancel|stop|end] [my|the] [newsletter subscription|subscription to the newsletter|newsletter]",
            "[receive|get] [the|your|the corporate|your company] newsletter",
            "[stop receiving|stop getting] [the|your] [newsletter|newsletters|marketing emails|promotional emails]",
        ],
        "doing": [
            "[subscribing|signing up|registering] [to|for] [the|your] newsletter",
            "[unsubscribing|opting out] from [the|your] newsletter",
            "[receiving|getting] [the|your|the corporate] newsletter",
        ],
        "about": [
            "[the|your|a] [newsletter|corporate newsletter|company newsletter|newsletter subscription|mailing list]",
            "[subscription|subscribing] to [the|your] newsletter",
        ],
        "say": [
            "[I want|add me|sign me up] [to|for|to get] [the|your] newsletter",
            "[take|remove] me off [the|your] [mailing list|newsletter|email list]",
            "I [keep getting|don't want] [your|the] [newsletter|newsletters|promo emails]",
            "I [am not getting|never received|don't receive] [the|your] newsletter",
        ],
    },
    "payment_issue": {
        "do": [
            "[report|inform of|notify] [a|an] [problem|issue|trouble|error] with [a|my|the|online] payment",
            "[solve|fix|sort out] [a|an|the] [payment|online payment] [problem|issue|error]",
            "[report|inform of] [a|an] [problem|issue] [paying|making a payment|with my card]",
        ],
        "doing": [
            "[reporting|informing of|notifying] [a|an] [problem|issue|trouble|error] with [a|my|the|online] payment",
            "[solving|fixing] [a|the] payment [problem|issue|error]",
        ],
        "about": [
            "[a|an|the] [payment|online payment|card payment|checkout] [problem|issue|error|trouble]",
            "[problems|issues|trouble|errors] with [payments|online payments|paying|my card]",
        ],
        "say": [
            "[my|the] payment [failed|didn't go through|was declined|was rejected|isn't working]",
            "[my|the] card [was declined|was rejected|doesn't work|isn't accepted] [at checkout|]",
            "I [was charged|got charged|have been charged] [twice|two times|double|but the order didn't go through]",
            "I [can't|cannot] pay [for my order|for the {item}|online|with my card]",
            "[there's|there is] an error when I [try to pay|pay|check out]",
            "the payment [page|form] [won't load|gives me an error|is broken]",
            "money was [taken|deducted] from my account but [I have no order|the order failed]",
        ],
    },
    "place_order": {
        "do": [
            "[place|make|submit|put in] [an|a new|one more] order [for the {item}|for {item}s|]",
            "[buy|purchase|order|get|acquire] [a|the|some|two|a few] {item}[s|]",
            "[buy|purchase|order] [something|an article|an item|a product|some of your products]",
        ],
        "doing": [
            "[placing|making] [an|a new] order [for the {item}|]",
            "[buying|purchasing|ordering] [a|the|some] {item}[s|]",
        ],
        "about": ["[a new order|an order|a purchase] [of|for] [the|a|some] {item}[s|]"],
        "say": [
            "I [want|would like|need] to [buy|order|purchase] [the|a|some] {item}[s|]",
            "how do I [order|buy|purchase] [something|a {item}|the {item}|from you]",
            "I'd like to order [two|three|a] {item}[s|]",
            "[can I|is it possible to] [order|buy] [the|a] {item} [online|here|now|today]",
            "[take|ship] my order [for|of] [a|the] {item} [please|]",
        ],
    },
    "recover_password": {
        "do": [
            "[recover|reset|retrieve|restore|change|get back|remember] my [password|pwd|passcode|PIN|access key|user password|login password|account password]",
            "[log in|sign in|get into my account|access my account] [without|because I forgot] my password",
        ],
        "doing": [
            "[recovering|resetting|retrieving|restoring] my [password|pwd|passcode|PIN|access key|account password]",
        ],
        "about": [
            "[a|the] [lost|forgotten|forgot] [password|pwd|PIN|access key|passcode]",
            "[password|pwd|PIN|access key] [reset|recovery|retrieval]",
        ],
        "say": [
            "I [forgot|forgotten|lost|can't remember|don't remember] my [password|pwd|PIN|access key|login]",
            "I [can't|cannot] [log in|sign in|access my account], I [forgot|lost] the password",
            "the password reset [email|link] [never arrived|doesn't work|expired]",
            "[send me|I need] a [password reset|new password|reset link]",
        ],
    },
    "registration_problems": {
        "do": [
            "[report|inform of|notify] [a|an] [problem|issue|error|trouble] with [the|my|a] [registration|sign-up|signup|sign up]",
            "[solve|fix] [a|the] [registration|sign-up|signup] [problem|issue|error]",
            "[report|notify you of] [issues|errors|problems] [registering|signing up]",
        ],
        "doing": [
            "[reporting|informing of|notifying] [a|an] [problem|issue|error|trouble] with [the|my] [registration|sign-up|signup]",
        ],
        "about": [
            "[a|an|the] [registration|sign-up|signup|sign up] [problem|issue|error|trouble|bug|failure]",
            "[problems|issues|errors|trouble] [with the registration|with signing up|registering|with the sign-up form]",
        ],
        "say": [
            "I [can't|cannot|am unable to] [register|sign up|complete the registration|finish signing up]",
            "the [registration|sign-up|signup] [form|page] [won't submit|gives an error|is broken|doesn't work]",
            "I never [got|received] the [confirmation|verification|activation] email after [registering|signing up]",
            "[it|the site] says my email is already [registered|taken|in use] but I [never signed up|don't have an account]",
            "[registration|sign up|signing up] [failed|doesn't work|keeps failing]",
        ],
    },
    "review": {
        "do": [
            "[leave|write|submit|give|post|send] [a review|feedback|an opinion|a rating|a comment|my opinion|some feedback] [about|on|for] [your service|your company|the {item}|a product|the service|you]",
            "[rate|review] [your service|the {item}|my purchase|your company]",
        ],
        "doing": [
            "[leaving|writing|submitting|giving|posting|sending] [a review|feedback|an opinion|a rating] [about|on|for] [your service|the {item}|your company]",
        ],
        "about": [
            "[a review|feedback|an opinion|a rating|a testimonial] [about|on|for] [your service|the {item}|your company|a product]",
            "[customer|product|service] [reviews|feedback|ratings]",
        ],
        "say": [
            "I [want|would like|have] to [share|give] [my|some] [feedback|opinion|thoughts] [about|on] [your service|the {item}]",
            "[where|how] can I [leave|write|post] a [review|rating|comment]",
            "I [loved|liked|really enjoyed] the {item} and want to [tell others|write a review|rate it]",
            "[is there|do you have] [a place|a form|an email] to [give feedback|leave a review|send an opinion]",
            "I'd like to [say|tell you] [how|what] I [think|thought] of [your service|the {item}]",
        ],
    },
    "set_up_shipping_address": {
        "do": [
            f"[set up|add|enter|create|register|save|submit|set] [a|a new|another|a second|a secondary|my] {SHIP_ADDR}",
            "[add|save|enter] [an|another|a new] address [to|on|in] my [account|profile|address book]",
            f"[make|set] [my|a|the] [new|secondary|second|other] {SHIP_ADDR} [valid|default|the default]",
        ],
        "doing": [
            f"[setting up|adding|entering|creating|saving|submitting] [a|a new|another|a secondary] {SHIP_ADDR}",
        ],
        "about": [
            f"[a new|another|a secondary|a second|an additional] {SHIP_ADDR}",
            f"[setting up|the setup of|adding] [a|another] {SHIP_ADDR}",
        ],
        "say": [
            f"[the|my] [secondary|new|second] {SHIP_ADDR} [is invalid|won't save|isn't accepted|shows an error]",
            f"I [can't|cannot] [add|save|set up|enter] [a|another|a new] {SHIP_ADDR}",
            f"[where|how] do I [add|set up|enter] [a|my|another] {SHIP_ADDR}",
            "I [want|need] [a second|another|a new] address [on file|saved|in my account]",
        ],
    },
    "switch_account": {
        "do": [
            "[switch|change|move|upgrade|downgrade|go|swap] [to|over to] [a|the|another|a different] {acct} account",
            "[switch|change|swap] [accounts|account|to another account|to a different account|between accounts|user]",
            "[use|log into|sign in with] [another|a different|my other|the {acct}] account",
            "[upgrade|downgrade|change] my account [to|from] {acct}",
        ],
        "doing": [
            "[switching|changing|moving|upgrading|downgrading] to [a|the|another] {acct} account",
            "[switching|swapping] [accounts|between accounts|users]",
            "using [another|a different|the {acct}] account",
        ],
        "about": [
            "[a switch|a change|an upgrade|a downgrade] to [a|the] {acct} account",
            "[switching|changing|swapping] [accounts|users|profiles]",
        ],
        "say": [
            "I [want|would like] to [go|move|switch|upgrade|downgrade] [to|from] {acct}",
            "I'm [logged in|signed in] [with|to] the wrong account",
            "[how|where] do I [switch|change] [accounts|to my other account|users]",
            "[can I|is it possible to] [switch|change|upgrade] to [the|a] {acct} [account|plan]",
        ],
    },
    "track_order": {
        "do": [
            "[track|trace|follow|locate|find|check on] {order}",
            "[check|see|know|find out|get] the [status|whereabouts|location|ETA|tracking|tracking number|tracking info] of {order}",
            "[see|know|find out] where {order} is",
        ],
        "doing": [
            "[tracking|tracing|locating|following] {order}",
            "[checking|seeing] the [status|ETA|tracking|location] of {order}",
        ],
        "about": [
            "[the|an] [status|ETA|tracking number|tracking link|tracking info|update|location] [of|for|on] {order}",
            "[order|purchase|parcel|package|shipment] [status|tracking]",
        ],
        "say": [
            "where is [my|the] [order|parcel|package|delivery|{item}|shipment|stuff]",
            "[where's|where is] {order}",
            "{order} [hasn't arrived|has not arrived|is late|still hasn't come|never arrived|is still not here]",
            "has {order} [shipped|been shipped|been sent|been dispatched|left the warehouse] [yet|]",
            "when will {order} [arrive|be here|be delivered|come]",
            "[any|an] update on {order}",
            "what's the status of {order}",
            "I'm still waiting for {order}",
        ],
    },
    "track_refund": {
        "do": [
            "[track|check|check on|follow|see|know|find out] [the status of|the progress of|] [my|the] [refund|reimbursement|rebate|compensation|repayment] [of {amount}|for {order}|]",
            "[check|see|know|find out] [if|whether|when] [my|the] [refund|reimbursement|money] [was|has been|will be] [processed|sent|issued|paid|returned]",
        ],
        "doing": [
            "[tracking|checking|following] [my|the] [refund|reimbursement|rebate|compensation] [of {amount}|for {order}|]",
        ],
        "about": [
            "[the|an] [status|update|progress] [of|on] [my|the] [refund|reimbursement|rebate|compensation] [of {amount}|for {order}|]",
            "[refund|reimbursement] [status|tracking|progress]",
        ],
        "say": [
            "[where|where's|what happened to] [is |]my [refund|reimbursement|money|compensation|rebate] [of {amount}|for {order}|]",
            "I'm [still |]waiting for [my|a|the] [refund|reimbursement|compensation|restitution|rebate] [of {amount}|for {order}|]",
            "I [expect|am expecting|was promised] a [refund|reimbursement|compensation|restitution|rebate] [of {amount}|]",
            "[my|the] [refund|reimbursement] [hasn't arrived|has not arrived|is late|never came|is taking too long]",
            "when will I [get|receive|see] [my|the] [refund|money back|reimbursement] [of {amount}|]",
            "[has|was] my [refund|reimbursement] [been |][processed|sent|approved|issued] [yet|]",
        ],
    },
    "other": {
        "do": [],
        "doing": [],
        "about": [
            "[the weather|football|the news|a joke|your name|the meaning of life|politics]",
        ],
        "say": [
            "[hi|hello|hey|good morning|good afternoon|good evening|hi there|hey there|yo]",
            "[thanks|thank you|thank you very much|thanks a lot|cheers|great, thanks|perfect|ok|okay|cool|got it|that helps]",
            "[bye|goodbye|see you|have a nice day|that's all|nothing else]",
            "[yes|no|maybe|sure|nope|yep|not really|I guess]",
            "[what's|what is] [the weather like|your name|the time|two plus two] [today|]",
            "[tell me a joke|sing me a song|who won the game|what do you think about politics]",
            "[do you|is] the {item} [come in|available in] [blue|red|black|large|small|size 10]",
            "[is|are] the {item}[s|] [made of cotton|waterproof|machine washable|in stock|on sale]",
            "[what's|what is] the [size|material|colour|warranty] of the {item}",
            "do you have [a|any] {item}[s|] [in stock|on sale|in my size]",
            "[asdf|test|testing|hmm|???|...|lol|ok thanks bye]",
            "I [just|only] wanted to say [hi|hello|thanks]",
            "[are you open|do you have a shop|where is your store] [in|near] {place}",
            "[do you have|is there] a [discount code|coupon|promo code|sale] [today|this week|]",
        ],
    },
}
